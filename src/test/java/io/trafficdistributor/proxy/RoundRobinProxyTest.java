package io.trafficdistributor.proxy;

import static io.trafficdistributor.support.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

@QuarkusTest
class RoundRobinProxyTest {

    static TestBackend a;
    static TestBackend b;
    static TestBackend c;

    @BeforeAll
    static void startBackends() {
        a = TestBackend.start("a");
        b = TestBackend.start("b");
        c = TestBackend.start("c");
    }

    @AfterAll
    static void stopBackends() {
        a.close();
        b.close();
        c.close();
    }

    @Test
    void seventyThirtySendsSevenOfEveryTenToTheFirst() {
        json("""
                {"name":"rr-7030","hostnames":["rr7030.test"],
                 "backends":[{"name":"a","url":"%s","weight":70},{"name":"b","url":"%s","weight":30}]}"""
                .formatted(a.url(), b.url())).post("/api/v1/distributors").then().statusCode(201);
        for (int window = 0; window < 3; window++) {
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                var response = ProxyClient.get("rr7030.test", "/");
                assertEquals(200, response.statusCode());
                answers.add(response.body());
            }
            assertEquals(7, answers.stream().filter("a"::equals).count(), answers.toString());
            assertEquals(3, answers.stream().filter("b"::equals).count(), answers.toString());
        }
    }
}
