package io.trafficdistributor.proxy;

import static io.trafficdistributor.support.Api.json;
import static io.trafficdistributor.proxy.ProxyTestSupport.answers;
import static io.trafficdistributor.proxy.ProxyTestSupport.backend;
import static io.trafficdistributor.proxy.ProxyTestSupport.count;
import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;

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

    @Test
    void fiftyThirtyTwentyIsExactPerHundred() {
        create("""
                {"name":"rr-532","hostnames":["rr532.test"],"backends":[%s,%s,%s]}"""
                .formatted(backend(a, 50), backend(b, 30), backend(c, 20)));
        for (int window = 0; window < 2; window++) {
            List<String> answers = answers("rr532.test", 100);
            assertEquals(50, count(answers, "a"), answers.toString());
            assertEquals(30, count(answers, "b"), answers.toString());
            assertEquals(20, count(answers, "c"), answers.toString());
        }
    }

    @Test
    void weightZeroGetsNothing() {
        create("""
                {"name":"rr-zero","hostnames":["rrzero.test"],"backends":[%s,%s,%s]}"""
                .formatted(backend(a, 1), backend(b, 0), backend(c, 1)));
        b.clearReceived();
        List<String> answers = answers("rrzero.test", 40);
        assertEquals(0, count(answers, "b"), answers.toString());
        assertEquals(20, count(answers, "a"), answers.toString());
        assertEquals(20, count(answers, "c"), answers.toString());
        assertEquals(0, b.received().size(), "the weight-0 backend received requests");
    }

    @Test
    void hostLookupIgnoresCaseAndPort() {
        create("""
                {"name":"rr-host","hostnames":["rrhost.test"],"backends":[%s]}""".formatted(backend(a, 1)));
        HttpResponse<String> response = ProxyClient.get("RRHost.Test:8000", "/");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("a", response.body());
    }
}
