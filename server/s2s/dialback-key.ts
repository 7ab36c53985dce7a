// XEP-0220 §2.1.1 / XEP-0185: dialback keys. key = HMAC-SHA256(SHA256(secret), receiving ' ' originating ' ' id),
// hex. The secret is random per process: keys only need to be checkable by this process while the peer verifies.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class DialbackKeys {
  private readonly hmacKey: Buffer;

  constructor(secret: Buffer = randomBytes(32)) {
    this.hmacKey = createHash('sha256').update(secret).digest();
  }

  /** The key the originating domain sends to the receiving domain on a stream whose (receiver's) id is `streamId`. */
  generate(receiving: string, originating: string, streamId: string): string {
    return createHmac('sha256', this.hmacKey).update(`${receiving} ${originating} ${streamId}`).digest('hex');
  }

  /** Whether `key` is the one this process made for that domain pair and stream (constant-time compare). */
  verify(receiving: string, originating: string, streamId: string, key: string): boolean {
    const expected = Buffer.from(this.generate(receiving, originating, streamId), 'utf8');
    const got = Buffer.from(key.trim(), 'utf8');
    return got.length === expected.length && timingSafeEqual(got, expected);
  }
}
