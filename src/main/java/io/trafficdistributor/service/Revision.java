package io.trafficdistributor.service;

import java.time.OffsetDateTime;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of a distributor's change history: the document a write stored, as the API showed it then. The
 * document is kept as written (JSON), so a revision from before a later field existed shows without it.
 */
public record Revision(long version, OffsetDateTime changedAt, ChangeKind change, JsonNode document) {
}
