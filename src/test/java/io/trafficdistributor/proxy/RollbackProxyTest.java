package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.answers;
import static io.trafficdistributor.proxy.ProxyTestSupport.backend;
import static io.trafficdistributor.proxy.ProxyTestSupport.count;
import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.proxy.ProxyTestSupport.patchBackend;
import static io.trafficdistributor.support.Api.api;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.TestBackend;

/** A rollback is a write like any other: the proxy routes by the restored weights on the next request. */
@QuarkusTest
class RollbackProxyTest {

    static TestBackend blue;
    static TestBackend green;

    @BeforeAll
    static void start() {
        blue = TestBackend.start("blue");
        green = TestBackend.start("green");
    }

    @AfterAll
    static void stop() {
        blue.close();
        green.close();
    }

    static double rollbacks(String distributor) {
        String metrics = api().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^td_rollbacks_total\\{distributor=\"" + Pattern.quote(distributor) + "\"} ([0-9.]+)$")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void aRollbackRestoresTheWeightsAndTheProxyFollowsAtOnce() {
        create("""
                {"name":"rollback-weights","hostnames":["rollback-weights.test"],"backends":[%s,%s]}"""
                .formatted(backend(blue, 1), backend(green, 0)));
        assertEquals(10, count(answers("rollback-weights.test", 10), "blue"));
        patchBackend("rollback-weights", "green", "{\"weight\":1}");
        patchBackend("rollback-weights", "blue", "{\"weight\":0}");
        assertEquals(10, count(answers("rollback-weights.test", 10), "green"));

        api().contentType("application/json").header("If-Match", "\"2\"").body("{\"version\":0}")
                .post("/api/v1/distributors/rollback-weights/rollback")
                .then().statusCode(200).header("ETag", "\"3\"")
                .body("backends.weight", equalTo(List.of(1, 0)));
        List<String> after = answers("rollback-weights.test", 10);
        assertEquals(10, count(after, "blue"), after.toString());
        assertEquals(1.0, rollbacks("rollback-weights"));
    }
}
