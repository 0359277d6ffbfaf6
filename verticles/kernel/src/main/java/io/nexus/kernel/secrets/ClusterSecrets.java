package io.nexus.kernel.secrets;

import io.nexus.kernel.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every node of one cluster shares and nothing else has: a master secret, from which the
 * key that signs principals on the bus, the audit chain's key and the key that encrypts private
 * signing keys at rest are derived (HMAC-SHA256 of the master over a purpose label), and the
 * cluster's TLS identity for the event bus (a PKCS#12 key store with a self-signed certificate
 * that is also the only certificate the nodes trust).
 *
 * <p>They live in one directory ({@code cluster.secretsDir}, default {@code <dataDir>/secrets}),
 * 0700 with every file 0600, made on first start when absent. Nodes of one cluster must use
 * copies of the same directory; {@code scripts/cluster.sh} makes one for its nodes. None of it
 * is ever written to PostgreSQL, Redis or a log.
 */
public final class ClusterSecrets {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSecrets.class);
  static final String MASTER_FILE = "cluster.secret";
  static final String KEYSTORE_FILE = "cluster.p12";
  static final String KEYSTORE_PASSWORD_FILE = "cluster.p12.password";
  private static final int MASTER_BYTES = 32;
  private static final int KEYSTORE_PASSWORD_BYTES = 24;
  private static final int CERT_VALIDITY_DAYS = 3650;
  private static final long KEYTOOL_TIMEOUT_S = 60;
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

  /** Key purposes: each derived key serves one of them only. */
  public enum Purpose {
    /** Signs the principal header of every bus message. */
    BUS_PRINCIPAL("nexus bus principal v1"),
    /** Keys the audit trail's hash chain. */
    AUDIT_CHAIN("nexus audit chain v1"),
    /** Encrypts private token-signing keys at rest (unless NEXUS_KEY_ENCRYPTION_KEY is set). */
    KEY_ENCRYPTION("nexus key encryption v1");

    private final String label;

    Purpose(String label) {
      this.label = label;
    }
  }

  private final Path dir;
  private final byte[] master;
  private final String keyStorePassword;

  private ClusterSecrets(Path dir, byte[] master, String keyStorePassword) {
    this.dir = dir;
    this.master = master;
    this.keyStorePassword = keyStorePassword;
  }

  /**
   * Reads the secrets in {@code dir}, making whatever is missing (and the directory) first.
   * Safe when several processes start at once on the same directory: each file is written
   * aside and moved into place only if absent, so all of them end up with the same secrets.
   */
  public static ClusterSecrets open(Path dir) {
    try {
      privateDir(dir);
      createIfAbsent(dir.resolve(MASTER_FILE), () -> base64(random(MASTER_BYTES)));
      createIfAbsent(dir.resolve(KEYSTORE_PASSWORD_FILE), () -> base64(random(KEYSTORE_PASSWORD_BYTES)));
      byte[] master = Base64.getDecoder().decode(Files.readString(dir.resolve(MASTER_FILE)).trim());
      if (master.length < MASTER_BYTES) {
        throw new ConfigException("cluster.secretsDir", dir.resolve(MASTER_FILE) + " holds fewer than " + MASTER_BYTES
            + " bytes; delete it to have a new one made (on every node)");
      }
      String password = Files.readString(dir.resolve(KEYSTORE_PASSWORD_FILE)).trim();
      Path store = dir.resolve(KEYSTORE_FILE);
      if (!Files.exists(store)) {
        makeKeyStore(dir, store, password);
      }
      return new ClusterSecrets(dir, master, password);
    } catch (IOException e) {
      throw new ConfigException("cluster.secretsDir", "cannot read or make the cluster secrets in " + dir + ": "
          + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("cluster.secretsDir", dir.resolve(MASTER_FILE) + " is not base64");
    }
  }

  /** The directory the secrets live in. */
  public Path dir() {
    return dir;
  }

  /** A 32-byte key for one purpose, the same on every node that shares the master secret. */
  public byte[] key(Purpose purpose) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(master, "HmacSHA256"));
      return mac.doFinal(purpose.label.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** The PKCS#12 key store with the cluster's TLS key and certificate (also its trust store). */
  public Path keyStore() {
    return dir.resolve(KEYSTORE_FILE);
  }

  /** The key store's password. */
  public String keyStorePassword() {
    return keyStorePassword;
  }

  /** Makes {@code dir} (and parents) when absent and restricts it to its owner. */
  public static void privateDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    restrict(dir, DIR_MODE);
  }

  /** Restricts a file to its owner (0600). */
  public static void privateFile(Path file) throws IOException {
    restrict(file, FILE_MODE);
  }

  private static void restrict(Path p, Set<PosixFilePermission> mode) throws IOException {
    try {
      Files.setPosixFilePermissions(p, mode);
    } catch (UnsupportedOperationException notPosix) {
      // not a POSIX file system: nothing to restrict with
    }
  }

  private interface Content {
    String make() throws IOException;
  }

  private static void createIfAbsent(Path file, Content content) throws IOException {
    if (Files.exists(file)) {
      privateFile(file);
      return;
    }
    Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
    try {
      privateFile(tmp);
      Files.writeString(tmp, content.make() + "\n");
      moveIfAbsent(tmp, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void moveIfAbsent(Path tmp, Path file) throws IOException {
    try {
      // a hard link fails when the name exists: the first process to get there wins
      Files.createLink(file, tmp);
    } catch (FileAlreadyExistsException lost) {
      // another process made it first; use theirs
    } catch (UnsupportedOperationException | IOException noLinks) {
      if (!Files.exists(file)) {
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file);
        }
      }
    }
  }

  /** A self-signed EC P-256 certificate and its key, made with the JDK's keytool. */
  private static void makeKeyStore(Path dir, Path store, String password) throws IOException {
    Path tmp = dir.resolve(KEYSTORE_FILE + "." + ProcessHandle.current().pid() + ".tmp");
    Files.deleteIfExists(tmp);
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    var cmd = java.util.List.of(keytool.toString(), "-genkeypair", "-alias", "nexus-cluster", "-keyalg", "EC",
        "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", String.valueOf(CERT_VALIDITY_DAYS),
        "-dname", "CN=nexus-cluster", "-storetype", "PKCS12", "-keystore", tmp.toString(),
        "-storepass:env", "NEXUS_KS_PASS", "-keypass:env", "NEXUS_KS_PASS");
    var pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("NEXUS_KS_PASS", password);
    try {
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(KEYTOOL_TIMEOUT_S, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("keytool could not make the cluster certificate: " + out.strip());
      }
      privateFile(tmp);
      moveIfAbsent(tmp, store);
      LOG.info("made the cluster's TLS certificate [keyStore: {}]", store);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while making the cluster certificate", e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  private static String base64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
