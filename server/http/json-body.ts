// Reading a JSON request body: JSON only, size-limited, an object at the top; failures are HttpErrors whose
// messages are sentences.
import type http from 'node:http';

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const MAX_BODY_BYTES = 64 * 1024;

export type JsonObject = Record<string, unknown>;

export async function readJsonObject(req: http.IncomingMessage): Promise<JsonObject> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'Send the request as JSON (Content-Type: application/json).');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'The request is too large.');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'The request must be a JSON object.');
  return value as JsonObject;
}

/** Typed access to the fields of a request body. */
export class Params {
  constructor(private readonly body: JsonObject) {}

  string(name: string, what: string): string {
    const v = this.body[name];
    if (typeof v !== 'string') throw new HttpError(400, `${what} is missing.`);
    return v;
  }

  boolean(name: string, what: string): boolean {
    const v = this.body[name];
    if (typeof v !== 'boolean') throw new HttpError(400, `${what} must be true or false.`);
    return v;
  }

  object(name: string, what: string): JsonObject {
    const v = this.body[name];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HttpError(400, `${what} is missing.`);
    return v as JsonObject;
  }
}
