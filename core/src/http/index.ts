/** HTTP helpers both servers' clients use. */
export { readAnswerBody } from './read-answer-body';
