package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.full;
import static io.trafficdistributor.support.Docs.hostOf;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.uniqueName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Racing writes: each one either wins or gets a 409, never a 5xx, and the version counts the winners. */
@QuarkusTest
class ConcurrentWriteTest {

    static final String BASE = "/api/v1/distributors";
    static final int WRITERS = 8;

    static List<Response> race(List<Callable<Response>> writes) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writes.size());
        try {
            List<Future<Response>> futures = pool.invokeAll(writes, 60, TimeUnit.SECONDS);
            List<Response> responses = new ArrayList<>();
            for (Future<Response> f : futures) {
                responses.add(f.get());
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Asserts that every answer has one of the {@code allowed} statuses (an error as problem+json) and counts
     * the answers with {@code counted}.
     */
    static long count(List<Response> responses, int counted, Set<Integer> allowed) {
        long count = 0;
        for (Response r : responses) {
            assertTrue(allowed.contains(r.statusCode()), "answered " + r.statusCode() + ": " + r.asString());
            if (r.statusCode() >= 400) {
                assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
            }
            if (r.statusCode() == counted) {
                count++;
            }
        }
        return count;
    }

    @Test
    void racingPatchesOfOneDistributorEachWinOrConflict() throws Exception {
        String name = uniqueName("race-patch");
        long v0 = api().contentType("application/json").body(full(name)).post(BASE).then().statusCode(201)
                .extract().jsonPath().getLong("version");
        List<Callable<Response>> writes = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            int weight = i + 1;
            writes.add(() -> api().contentType("application/merge-patch+json").body(Map.of("weight", weight))
                    .patch(BASE + "/" + name + "/backends/green"));
        }
        long wins = count(race(writes), 200, Set.of(200, 409));
        assertTrue(wins >= 1);
        assertEquals(v0 + wins, api().get(BASE + "/" + name).then().statusCode(200).extract().jsonPath().getLong("version"));
    }

    @Test
    void racingCreatesOfOneHostnameLeaveExactlyOneOwner() throws Exception {
        String shared = "shared-" + hostOf(uniqueName("race-host"));
        List<String> names = new ArrayList<>();
        List<Callable<Response>> writes = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            String name = uniqueName("race-host");
            names.add(name);
            Map<String, Object> doc = minimal(name);
            doc.put("hostnames", List.of(shared));
            writes.add(() -> api().contentType("application/json").body(doc).post(BASE));
        }
        assertEquals(1, count(race(writes), 201, Set.of(201, 409)));
        api().queryParam("hostname", shared).get(BASE).then().statusCode(200)
                .body("total", org.hamcrest.Matchers.equalTo(1));
    }

    @Test
    void racingCreatesOfOneNameLeaveExactlyOneDistributor() throws Exception {
        String name = uniqueName("race-name");
        List<Callable<Response>> writes = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            Map<String, Object> doc = minimal(name);
            doc.put("hostnames", List.of("h" + i + "." + hostOf(name)));
            writes.add(() -> api().contentType("application/json").body(doc).put(BASE + "/" + name));
        }
        assertEquals(1, count(race(writes), 201, Set.of(201, 200, 409)));
    }
}
