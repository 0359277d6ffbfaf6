package io.nexus.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Argon2id hashes in PHC form: salted, verified in constant time, and never an exception on a bad stored value. */
class PasswordHasherTest {
  private static final PasswordHasher HASHER = new PasswordHasher(new PasswordHasher.Cost(1024, 1, 1));

  @Test
  @DisplayName("a hash verifies its password and no other, and two hashes of one password differ (salt)")
  void hashAndVerify() {
    String phc = HASHER.hash("correct horse battery");
    assertThat(phc).startsWith("$argon2id$v=19$m=1024,t=1,p=1$");
    assertThat(HASHER.verify("correct horse battery", phc)).isTrue();
    assertThat(HASHER.verify("correct horse batterY", phc)).isFalse();
    assertThat(HASHER.hash("correct horse battery")).isNotEqualTo(phc);
  }

  @Test
  @DisplayName("an unknown account (no stored hash) is checked against a decoy and is always false")
  void unknownAccount() {
    assertThat(HASHER.verify("anything", null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=x,t=1,p=1$c2FsdA$aGFzaA",
      "$argon2id$v=19$m=1024,q=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=1024,t=1,p=1$!!!$aGFzaA", "$argon2id$v=19$m$c2FsdA$aGFzaA"})
  @DisplayName("a malformed stored hash is refused (false), not an exception")
  void malformedHashes(String phc) {
    assertThat(HASHER.verify("password", phc)).isFalse();
  }

  @Test
  @DisplayName("a known device's delays on a locked account double from 250 ms and stop at 2 s")
  void deviceDelays() {
    assertThat(LoginThrottle.delayMs(1)).isEqualTo(250);
    assertThat(LoginThrottle.delayMs(2)).isEqualTo(500);
    assertThat(LoginThrottle.delayMs(4)).isEqualTo(2000);
    assertThat(LoginThrottle.delayMs(60)).isEqualTo(2000);
  }
}
