/**
 * Server side of Postgres authentication for the mock. The mock is the server, so it picks the method
 * (`auth` in the mock's config): trust (default), cleartext password, md5, or SCRAM-SHA-256. A recorded
 * SCRAM exchange cannot be replayed (the client's nonce differs every time), so SCRAM is run for real
 * against the configured password; md5 and cleartext accept any password unless one is configured.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type PgAuthMethod = 'trust' | 'password' | 'md5' | 'scram-sha-256';

export function md5Password(user: string, password: string, salt: Buffer): string {
  const inner = createHash('md5').update(password + user).digest('hex');
  return 'md5' + createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex');
}

const hmac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

/** One SCRAM-SHA-256 server exchange (RFC 5802/7677, without channel binding). */
export class ScramServer {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private readonly salt = randomBytes(16);
  private readonly iterations = 4096;

  constructor(private readonly password: string) {}

  /** SASLInitialResponse body → the server-first message (AuthenticationSASLContinue data). */
  first(body: Buffer): string {
    const nul = body.indexOf(0);
    const mechanism = body.toString('utf8', 0, nul);
    if (mechanism !== 'SCRAM-SHA-256') throw new Error(`unsupported SASL mechanism ${mechanism}`);
    const len = body.readInt32BE(nul + 1);
    const msg = body.toString('utf8', nul + 5, nul + 5 + len);
    // gs2 header "n,," or "y,,": channel binding is not offered
    const m = /^[ny],[^,]*,(.*)$/.exec(msg);
    if (!m) throw new Error('malformed SCRAM client-first message');
    this.clientFirstBare = m[1];
    const cnonce = /(?:^|,)r=([^,]+)/.exec(this.clientFirstBare)?.[1];
    if (!cnonce) throw new Error('SCRAM client-first message without a nonce');
    this.nonce = cnonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.salt.toString('base64')},i=${this.iterations}`;
    return this.serverFirst;
  }

  /** SASLResponse body → the server-final message (AuthenticationSASLFinal data); throws on a wrong proof. */
  final(body: Buffer): string {
    const msg = body.toString('utf8');
    const proofAt = msg.lastIndexOf(',p=');
    if (proofAt < 0) throw new Error('malformed SCRAM client-final message');
    const withoutProof = msg.slice(0, proofAt);
    const proof = Buffer.from(msg.slice(proofAt + 3), 'base64');
    if (/(?:^|,)r=([^,]+)/.exec(withoutProof)?.[1] !== this.nonce) throw new Error('SCRAM nonce mismatch');
    const salted = pbkdf2Sync(this.password.normalize('NFKC'), this.salt, this.iterations, 32, 'sha256');
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = sha256(clientKey);
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(storedKey, authMessage);
    if (proof.length !== clientSignature.length) throw new Error('password authentication failed');
    const recovered = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) recovered[i] = proof[i] ^ clientSignature[i];
    if (!timingSafeEqual(sha256(recovered), storedKey)) throw new Error('password authentication failed');
    const serverKey = hmac(salted, 'Server Key');
    return `v=${hmac(serverKey, authMessage).toString('base64')}`;
  }
}
