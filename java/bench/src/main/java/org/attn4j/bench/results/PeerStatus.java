package org.attn4j.bench.results;

/** Whether a peer ran: {@code ok}, {@code skipped} (with the reason) or {@code failed}. */
public record PeerStatus(String name, String status, String note) {
}
