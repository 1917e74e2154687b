/**
 * The service's tables (migration 3): API tokens and the API's write log.
 *
 * A token is `mft_<key>.<secret>`; the database keeps the key (to find the row) and an HMAC-SHA256 of
 * the secret keyed by the key (a salted digest), never the secret: NetBox v2 tokens are stored the
 * same way, "only as a salted HMAC digest, and the plaintext is shown to the user only once at
 * creation time" (https://netboxlabs.com/docs/netbox/models/users/token). The write log records every
 * write the API accepted or refused, with the token's name and the request id the response carried.
 */
import type { Migration } from './migrations.js';

const tables = (int: string, serial: string): string => `
CREATE TABLE api_tokens (
  id ${serial},
  token_key TEXT NOT NULL UNIQUE,
  digest TEXT NOT NULL,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  created_at ${int} NOT NULL,
  expires_at ${int},
  revoked_at ${int}
);
CREATE TABLE api_writes (
  id ${serial},
  request_id TEXT NOT NULL,
  time ${int} NOT NULL,
  actor TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  status INTEGER NOT NULL,
  code TEXT
);
CREATE INDEX api_writes_request ON api_writes (request_id);
CREATE INDEX api_writes_time ON api_writes (time, id);
`;

export const API_MIGRATION: Omit<Migration, 'version'> = {
  name: 'api-tokens-and-write-log',
  sqlite: tables('INTEGER', 'INTEGER PRIMARY KEY'),
  postgres: tables('BIGINT', 'BIGSERIAL PRIMARY KEY'),
};
