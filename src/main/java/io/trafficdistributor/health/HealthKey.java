package io.trafficdistributor.health;

import io.trafficdistributor.service.HealthCheckDocument;

/**
 * What makes distributor backends share one {@link HealthState}: the same URL and the same complete health
 * check. The URL fixes the probe's address, Host, TLS and base path; the check fixes its request, its timing
 * and, with the thresholds, how results become a verdict. Equal keys mean equal probes and equal verdicts, so
 * one probe can stand for all of them.
 */
record HealthKey(String url, HealthCheckDocument check) {
}
