package io.nexus.contracts;

/**
 * Marks a reply that hands the caller a secret (a token, an API key). Such a reply is shown to
 * its caller once and never kept anywhere else: the gateway's idempotency store keeps only that
 * the request was done, and answers a repeat of it with 409 instead of the secret.
 */
public interface CarriesSecret {}
