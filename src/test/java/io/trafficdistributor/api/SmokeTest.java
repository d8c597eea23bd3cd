package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Api.json;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SmokeTest {

    @Test
    void createsAndReads() {
        json("""
                {"name":"smoke","hostnames":["Smoke.Example.com"],"backends":[{"name":"a","url":"http://127.0.0.1:9"}]}""")
                .post("/api/v1/distributors").then().log().all().statusCode(201);
        api().get("/api/v1/distributors/smoke").then().log().all().statusCode(200).body("hostnames[0]", equalTo("smoke.example.com"));
        api().get("/q/health/ready").then().log().all().statusCode(200);
    }
}
