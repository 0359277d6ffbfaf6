package io.nexus.llm.facts;

import io.nexus.contracts.llm.Llm.ChunkKind;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * A piece of one fact as it is searched and cited: its organisation and ledger, what it was made
 * from, the text embedded and indexed, and the quantities that text states.
 *
 * @param factId the id a citation names ({@code <finding>#<seq>} for a comment)
 * @param page a document's page, else null
 * @param title and {@code body}: what the words are searched in, snippets cut from and citations checked against
 * @param meaning what is embedded: the fact in a few words of its own, without the numbers and labels every chunk of
 *     its kind repeats (which would make every entry look like every other entry to the model)
 * @param source the fact as it was chunked, to remake the chunk when the fact changes
 */
public record Chunk(UUID org, UUID ledgerId, ChunkKind kind, String factId, Integer page, String title, String body,
    String meaning, JsonObject source) {

  /** The chunk's key: {@code <kind>:<fact id>}, a document page's {@code document:<id>#<page>}. */
  public String id() {
    return key(kind, factId) + (page == null ? "" : "#" + page);
  }

  /** How a citation names a fact: {@code entry:<id>}. */
  public static String key(ChunkKind kind, String factId) {
    return kind.wire() + ":" + factId;
  }

  /** What is searched: the title and the body. */
  public String text() {
    return title + "\n" + body;
  }

  /** The quantities the chunk states. */
  public Quantities.Found facts() {
    return Quantities.of(text());
  }

  /** SHA-256 of {@link #meaning}: the same meaning keeps its embedding. */
  public String hash() {
    return sha256(meaning);
  }

  /** The hex SHA-256 of a text's UTF-8 bytes. */
  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
