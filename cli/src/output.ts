import Table from 'cli-table3';
import type { Page } from './admin-client';
import type { TextSink } from './cli-io';

/** One column of a list: its heading and how to show an item's value in it. */
export interface Column<T> {
  header: string;
  value: (item: T) => unknown;
}

/** Options of {@link Output.record}. */
export interface RecordOptions {
  /** Fields left out of the table (a PEM, a schema): `--json` shows them. */
  omit?: readonly string[];
}

/**
 * Columns apart by two spaces, no borders and no colours, as kubectl and
 * docker print: it reads the same in a terminal, a pipe and a test, and
 * `grep` and `awk` can take it apart.
 */
export const TABLE_OPTIONS = {
  chars: {
    top: '',
    'top-mid': '',
    'top-left': '',
    'top-right': '',
    bottom: '',
    'bottom-mid': '',
    'bottom-left': '',
    'bottom-right': '',
    left: '',
    'left-mid': '',
    mid: '',
    'mid-mid': '',
    right: '',
    'right-mid': '',
    middle: '  ',
  },
  style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
};

/** The table's text without the blanks cli-table3 pads the last column with. */
function render(table: Table.Table): string {
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/**
 * How a command prints: human tables (cli-table3) by default, or with `--json`
 * exactly the JSON the API answered, for scripts. Notes meant for people
 * (what was done, where the next page is) go to stdout in table mode and are
 * left out in JSON mode, so that `--json` output always parses.
 */
export class Output {
  constructor(
    private readonly stdout: TextSink,
    readonly json: boolean,
  ) {}

  /** A list: one row per item, or the page as JSON (`{items, nextCursor?}`). */
  list<T>(page: Page<T>, columns: readonly Column<T>[], noun: string): void {
    if (this.json) return this.printJson(page);
    if (page.items.length === 0) {
      this.line(`No ${noun}.`);
    } else {
      const table = new Table({ ...TABLE_OPTIONS, head: columns.map((column) => column.header) });
      for (const item of page.items) table.push(columns.map((column) => cell(column.value(item))));
      this.line(render(table));
    }
    if (page.nextCursor !== undefined) this.line(`More ${noun}: add --cursor ${page.nextCursor}`);
  }

  /** One object: a two-column table of its fields, or the object as JSON. */
  record(value: unknown, options: RecordOptions = {}): void {
    if (this.json) return this.printJson(value);
    if (typeof value !== 'object' || value === null) {
      this.line(cell(value));
      return;
    }
    const table = new Table(TABLE_OPTIONS);
    for (const [field, fieldValue] of Object.entries(value)) {
      if (options.omit?.includes(field) || fieldValue === undefined) continue;
      table.push({ [field]: cell(fieldValue, true) });
    }
    this.line(render(table));
  }

  /** A sentence for people (`Created member …`); silent with `--json`. */
  note(text: string): void {
    if (!this.json) this.line(text);
  }

  /** The outcome of a change: a note, then the object, or only the object as JSON. */
  changed(message: string, value: unknown, options: RecordOptions = {}): void {
    this.note(message);
    if (value !== undefined) this.record(value, options);
  }

  /** `value` as indented JSON, whatever the mode. */
  printJson(value: unknown): void {
    this.line(JSON.stringify(value, null, 2));
  }

  /** One line of text, whatever the mode. */
  line(text: string): void {
    this.stdout.write(`${text}\n`);
  }
}

/**
 * A value as a table cell: nothing for absent values, lists joined, objects
 * as JSON (indented in a record, where there is room for several lines).
 */
export function cell(value: unknown, multiline = false): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) {
    return value.join(multiline ? '\n' : ', ');
  }
  return multiline ? JSON.stringify(value, null, 2) : JSON.stringify(value);
}
