import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { realpathSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { flattenValidationErrors } from '../errors/validation-errors.js';
import { CreateUserDto } from '../users/dto/create-user.dto.js';
import type { UserResponse } from '../users/dto/user.response.js';
import { UsersService } from '../users/users.service.js';
import { CLI_ORIGIN, runCli } from './cli-context.js';

const USAGE = `Usage: npm run user:create -- --username <name> --role <role> [--role <role>...]
         [--display-name "<name>"] [--facility <CODE>...]
The password is read from ADMIN_PASSWORD, or asked for (not echoed).`;

async function askPassword(): Promise<string> {
  if (!process.stdin.isTTY) throw new Error('Set ADMIN_PASSWORD (no terminal to ask on)');
  let muted = false;
  const output = new Writable({
    write: (chunk, _enc, done) => {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      process.stdout.write(q);
      muted = true;
      rl.question('', (answer) => {
        muted = false;
        process.stdout.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('Password: ');
  const second = await ask('Repeat password: ');
  rl.close();
  if (first !== second) throw new Error('The passwords do not match');
  return first;
}

/**
 * Creates the account described by the command-line arguments, under the same rules as the API
 * (validation, password policy, role separation). `password` is asked for only once the
 * arguments are known to be complete.
 */
export async function createUserFromCommandLine(
  users: UsersService,
  args: string[],
  password: () => Promise<string>,
): Promise<UserResponse> {
  const { values } = parseArgs({
    args,
    options: {
      username: { type: 'string' },
      role: { type: 'string', multiple: true },
      'display-name': { type: 'string' },
      facility: { type: 'string', multiple: true },
    },
  });
  if (!values.username || !values.role?.length) throw new Error(USAGE);
  const secret = await password();
  const facilityIds = await users.facilityIdsByCode(values.facility ?? []);
  const dto = plainToInstance(CreateUserDto, {
    username: values.username,
    displayName: values['display-name'] ?? values.username,
    password: secret,
    roles: values.role.flatMap((r) => r.split(',')),
    facilityIds,
  });
  const errors = flattenValidationErrors(await validate(dto));
  if (errors.length > 0) throw new Error(errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return users.create(CLI_ORIGIN, dto);
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;

if (invokedDirectly) {
  void runCli(async (app) => {
    const user = await createUserFromCommandLine(
      app.get(UsersService),
      process.argv.slice(2),
      async () => process.env.ADMIN_PASSWORD ?? (await askPassword()),
    );
    console.log(`Created ${user.username} (${user.roles.join(', ')}), id ${user.id}`);
  });
}
