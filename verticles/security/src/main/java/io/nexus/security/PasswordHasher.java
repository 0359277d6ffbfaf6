package io.nexus.security;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes in the PHC string format
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}). Hashing is slow on purpose: call it
 * from a worker thread, never an event loop.
 */
public final class PasswordHasher {
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  /** Argon2id cost parameters. */
  public record Cost(int memoryKiB, int iterations, int parallelism) {}

  private final Cost cost;
  private final SecureRandom random = new SecureRandom();
  /** A real hash of a random password, verified against when the account does not exist. */
  private final String decoy;

  public PasswordHasher(Cost cost) {
    this.cost = cost;
    byte[] pw = new byte[HASH_BYTES];
    random.nextBytes(pw);
    this.decoy = hash(B64.encodeToString(pw));
  }

  /** A new salted hash of {@code password}. */
  public String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] out = derive(password, salt, cost, HASH_BYTES);
    return "$argon2id$v=19$m=" + cost.memoryKiB() + ",t=" + cost.iterations() + ",p=" + cost.parallelism()
        + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
  }

  /**
   * True when {@code password} matches {@code phc}. A null {@code phc} (unknown account) is
   * checked against a decoy so that it takes as long and is always false.
   */
  public boolean verify(String password, String phc) {
    boolean real = phc != null;
    try {
      return matches(password, real ? phc : decoy) && real;
    } catch (IllegalArgumentException malformed) {
      // a stored hash that is not a PHC string we wrote (bad number, bad base64): no match, never a 500
      return false;
    }
  }

  private static boolean matches(String password, String phc) {
    String[] parts = phc.split("\\$");
    // ["", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash]
    if (parts.length != 6 || !"argon2id".equals(parts[1])) {
      return false;
    }
    int m = 0;
    int t = 0;
    int p = 0;
    for (String kv : parts[3].split(",")) {
      String[] pair = kv.split("=");
      if (pair.length != 2) {
        return false;
      }
      int v = Integer.parseInt(pair[1]);
      switch (pair[0]) {
        case "m" -> m = v;
        case "t" -> t = v;
        case "p" -> p = v;
        default -> {
          return false;
        }
      }
    }
    if (m < 8 || t < 1 || p < 1) {
      return false;
    }
    byte[] expected = B64D.decode(parts[5]);
    byte[] actual = derive(password, B64D.decode(parts[4]), new Cost(m, t, p), expected.length);
    return MessageDigest.isEqual(expected, actual);
  }

  private static byte[] derive(String password, byte[] salt, Cost c, int length) {
    var params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(c.memoryKiB())
        .withIterations(c.iterations())
        .withParallelism(c.parallelism())
        .withSalt(salt)
        .build();
    var gen = new Argon2BytesGenerator();
    gen.init(params);
    byte[] out = new byte[length];
    gen.generateBytes(password.getBytes(java.nio.charset.StandardCharsets.UTF_8), out);
    return out;
  }
}
