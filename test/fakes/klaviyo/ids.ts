/**
 * Identifier generation. Profile, job and event ids look like Klaviyo's ULIDs (26 Crockford base32 chars) and
 * are strictly increasing, so sorting by id equals sorting by creation and cursors can be "after this id".
 * List ids are six alphanumerics like Klaviyo's `Y6nRLr`.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function base32(value: number, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = CROCKFORD.charAt(rest % 32) + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** Two base32 digits per lookup: a million ids per benchmark run makes the per-char loop show up. */
const PAIRS = Array.from({ length: 1024 }, (_, i) => base32(i, 2));

function base32Fast(value: number, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i += 2) {
    out = (PAIRS[rest % 1024] ?? '00') + out;
    rest = Math.floor(rest / 1024);
  }
  return out;
}

export class IdGenerator {
  private lastTimeMs = 0;
  private timePrefix = '';
  private counter = 0;
  private listSeed = 0x9e3779b9;
  private readonly listIds = new Set<string>();

  /** Monotonic ULID-shaped id. */
  ulid(nowMs: number = Date.now()): string {
    if (nowMs > this.lastTimeMs || this.timePrefix === '') {
      this.lastTimeMs = Math.max(this.lastTimeMs, nowMs);
      this.timePrefix = base32(this.lastTimeMs, 10);
    }
    this.counter += 1;
    return this.timePrefix + base32Fast(this.counter, 16);
  }

  listId(): string {
    for (;;) {
      let id = '';
      for (let i = 0; i < 6; i++) {
        // xorshift keeps list ids reproducible across runs without sharing the fault PRNG's sequence.
        this.listSeed ^= this.listSeed << 13;
        this.listSeed ^= this.listSeed >>> 17;
        this.listSeed ^= this.listSeed << 5;
        id += ALNUM.charAt((this.listSeed >>> 0) % ALNUM.length);
      }
      if (!this.listIds.has(id)) {
        this.listIds.add(id);
        return id;
      }
    }
  }
}
