/**
 * `npm start`: runs the demo network. The network (gateway, four agencies'
 * security servers and their backends) arrives with the demo-network issue;
 * until then this says how to run the gateway and checks that the machine is
 * ready for the rest.
 */
import { execFileSync } from 'node:child_process';

function found(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const checks: [string, string | undefined, string][] = [
  [
    'Node.js 20+',
    Number(process.versions.node.split('.')[0]) >= 20 ? process.version : undefined,
    'install Node.js 20 or later',
  ],
  ['redis-server', found('redis-server', ['--version']), 'apt-get install redis-server'],
  ['openssl', found('openssl', ['version']), 'apt-get install openssl'],
];

console.log("Örtöö: the core library and the gateway's registry are in place (npm test, npm run bench).");
console.log(
  'Run the gateway with: npm run ortoo -- gateway init && npm run ortoo -- gateway bootstrap --name Admin',
);
console.log('                      npm run ortoo -- gateway start   (see the README for the admin commands)');
console.log('The whole demo network (security servers, sample agencies) arrives with a later issue.\n');
for (const [name, version, fix] of checks) {
  console.log(`${version ? 'ok     ' : 'missing'} ${name.padEnd(14)} ${version ?? `— ${fix}`}`);
}
process.exitCode = checks.every(([, version]) => version) ? 0 : 1;
