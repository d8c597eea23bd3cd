package io.trafficdistributor.health;

/**
 * What makes distributor backends share one {@link HealthState}: the same URL and the same probe settings. The
 * URL fixes the probe's address, Host, TLS and base path; the settings fix its request, its timing and, with the
 * thresholds, how results become a verdict. Equal keys mean equal probes and equal verdicts, so one probe can
 * stand for all of them.
 */
record HealthKey(String url, ProbeSettings settings) {
}
