package io.trafficdistributor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.trafficdistributor.support.TestBackend;

/**
 * A gradual shift is stored: the packaged service killed in the middle of one (SIGKILL, no shutdown hook) and
 * started again on its data continues it from the step it had reached, and every step is written exactly once.
 */
class ShiftRestartIT {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode get(ServiceProcess service, String path) throws Exception {
        HttpResponse<String> response = service.admin("GET", path, null);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    static JsonNode awaitShift(ServiceProcess service, String name, Duration timeout,
            java.util.function.Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode shift;
        do {
            shift = get(service, "/api/v1/distributors/" + name + "/shift");
            if (done.test(shift)) {
                return shift;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the shift is still " + shift + " after " + timeout + ":\n" + service.logTail());
    }

    @Test
    void aShiftContinuesFromItsStepAfterTheServiceIsKilledAndStartedAgain() throws Exception {
        Path dataDir = Files.createTempDirectory("td-it-shift");
        Map<String, String> settings = Map.of("td.data-dir", dataDir.toString());
        try (TestBackend blue = TestBackend.start("blue"); TestBackend green = TestBackend.start("green")) {
            try (ServiceProcess first = ServiceProcess.start("shift-first", settings)) {
                first.create("""
                        {"name":"bg","hostnames":["bg.test"],"healthCheck":{"enabled":false},
                         "backends":[{"name":"blue","url":"%s","weight":100},{"name":"green","url":"%s","weight":0}]}"""
                        .formatted(blue.url(), green.url()));
                HttpResponse<String> started = first.admin("POST", "/api/v1/distributors/bg/shift",
                        "{\"weights\":{\"blue\":0,\"green\":100},\"durationSeconds\":8,\"steps\":4}");
                assertEquals(202, started.statusCode(), started.body());
                JsonNode midway = awaitShift(first, "bg", Duration.ofSeconds(20), shift -> shift.get("step").asInt() >= 1);
                first.kill();
                assertEquals("RUNNING", midway.get("state").asText(), "the shift ended before the kill: " + midway);
            }
            try (ServiceProcess second = ServiceProcess.start("shift-second", settings)) {
                JsonNode resumed = get(second, "/api/v1/distributors/bg/shift");
                assertTrue(resumed.get("step").asInt() >= 1, "the shift started over: " + resumed);
                JsonNode done = awaitShift(second, "bg", Duration.ofSeconds(30),
                        shift -> !"RUNNING".equals(shift.get("state").asText()));
                assertEquals("COMPLETED", done.get("state").asText(), done.toString());
                assertEquals(4, done.get("step").asInt());

                JsonNode history = get(second, "/api/v1/distributors/bg/revisions");
                List<String> changes = new ArrayList<>();
                List<String> weights = new ArrayList<>();
                for (JsonNode revision : history.get("items")) {
                    changes.add(revision.get("version").asInt() + " " + revision.get("change").asText());
                    JsonNode backends = revision.get("document").get("backends");
                    weights.add(backends.get(0).get("weight").asInt() + "/" + backends.get(1).get("weight").asInt());
                }
                // Each step once, none lost to the kill, none written twice by the restart.
                assertEquals(List.of("4 SHIFT", "3 SHIFT", "2 SHIFT", "1 SHIFT", "0 CREATE"), changes);
                assertEquals(List.of("0/100", "25/75", "50/50", "75/25", "100/0"), weights);
                assertEquals("green", second.proxy("bg.test", "/").body());
            }
        }
    }
}
