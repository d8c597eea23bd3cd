package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Problems.assertProblem;
import static io.trafficdistributor.support.Problems.assertViolation;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.trafficdistributor.support.CapturedLog;
import io.trafficdistributor.support.EmbeddedPostgresResource;
import io.trafficdistributor.support.TestCertificates;
import io.trafficdistributor.support.TestCertificates.Issued;
import io.trafficdistributor.support.TestCertificates.KeyType;

/** The certificates API: upload, read, rotate, delete; every bad upload a 400 naming its field; never the key. */
@QuarkusTest
class CertificateApiTest {

    static final String BASE = "/api/v1/certificates";
    static final Issued ROOT = TestCertificates.root("API Test Root");

    static Response post(Object body) {
        return api().contentType("application/json").body(body).post(BASE);
    }

    static Map<String, String> upload(String name, Issued leaf) {
        return Map.of("name", name, "certificate", leaf.chainPem(), "privateKey", leaf.keyPem());
    }

    /** A line of the key's base64 body: what would show if the key leaked anywhere. */
    static String keyFragment(Issued leaf) {
        return leaf.keyPem().lines().skip(2).findFirst().orElseThrow();
    }

    @Test
    void anUploadIsShownWithoutItsKeyAndTheKeyIsStoredEncrypted() throws Exception {
        Issued leaf = TestCertificates.leaf(ROOT, KeyType.RSA, "api-shop.test", "*.api-shop.test");
        try (CapturedLog log = new CapturedLog("")) {
            Response created = post(upload("api-shop", leaf));
            created.then().statusCode(201)
                    .header("Location", endsWith("/api/v1/certificates/api-shop"))
                    .header("ETag", "\"0\"")
                    .body("name", equalTo("api-shop"))
                    .body("subjectAlternativeNames", contains("api-shop.test", "*.api-shop.test"))
                    .body("issuer", equalTo("CN=API Test Root"))
                    .body("source", equalTo("UPLOADED"))
                    .body("version", equalTo(0))
                    .body("fingerprintSha256", not(equalTo(null)))
                    .body("notAfter", not(equalTo(null)))
                    .body("$", not(org.hamcrest.Matchers.hasKey("privateKey")))
                    .body("$", not(org.hamcrest.Matchers.hasKey("certificate")));
            List<String> answers = new ArrayList<>();
            answers.add(created.asString());
            answers.add(api().get(BASE + "/api-shop").then().statusCode(200).header("ETag", "\"0\"").extract().asString());
            answers.add(api().get(BASE).then().statusCode(200).body("items.name", hasItem("api-shop")).extract().asString());
            for (String answer : answers) {
                assertFalse(answer.contains("PRIVATE KEY") || answer.contains(keyFragment(leaf)), answer);
            }
            for (String line : log.lines) {
                assertFalse(line.contains(keyFragment(leaf)), "the key is in the log: " + line);
            }
        }
        try (Connection connection = DriverManager.getConnection(EmbeddedPostgresResource.database().jdbcUrl(), "postgres", "");
                PreparedStatement read = connection.prepareStatement(
                        "select private_key, key_encryption from certificate where name = 'api-shop'")) {
            ResultSet row = read.executeQuery();
            assertTrue(row.next());
            assertEquals("aes-gcm", row.getString(2));
            assertFalse(new String(row.getBytes(1), StandardCharsets.ISO_8859_1).contains("PRIVATE KEY"));
        }
    }

    @Test
    void theStatusViewNamesTheCertificateEachHostnameGets() {
        post(upload("status-exact", TestCertificates.leaf(ROOT, KeyType.EC, "status-shop.test"))).then().statusCode(201);
        post(upload("status-wild", TestCertificates.leaf(ROOT, KeyType.EC, "*.status-shop.test"))).then().statusCode(201);
        api().contentType("application/json").body(Map.of("name", "status-shop",
                "hostnames", List.of("status-shop.test", "*.status-shop.test", "www.status-shop.test"),
                "backends", List.of(Map.of("name", "a", "url", "http://127.0.0.1:9"))))
                .post("/api/v1/distributors").then().statusCode(201);
        List<Map<String, String>> hostnames = api().get("/api/v1/distributors/status-shop/status")
                .then().statusCode(200).extract().jsonPath().getList("hostnames");
        Map<String, String> served = new java.util.HashMap<>();
        hostnames.forEach(entry -> served.put(entry.get("hostname"), entry.get("certificate")));
        assertEquals(Map.of("status-shop.test", "status-exact", "*.status-shop.test", "status-wild",
                "www.status-shop.test", "status-wild"), served);
        api().delete("/api/v1/distributors/status-shop").then().statusCode(204);
        api().delete(BASE + "/status-exact").then().statusCode(204);
        api().delete(BASE + "/status-wild").then().statusCode(204);
    }

    @Test
    void aRotationNeedsTheCurrentVersionAndBumpsIt() {
        Issued first = TestCertificates.leaf(ROOT, KeyType.EC, "api-rotate.test");
        Issued second = TestCertificates.leaf(ROOT, KeyType.RSA, "api-rotate.test", "www.api-rotate.test");
        post(upload("api-rotate", first)).then().statusCode(201);
        String firstPrint = api().get(BASE + "/api-rotate").then().extract().path("fingerprintSha256");

        api().contentType("application/json").header("If-Match", "\"0\"").body(upload("api-rotate", second))
                .put(BASE + "/api-rotate").then().statusCode(200).header("ETag", "\"1\"")
                .body("subjectAlternativeNames", contains("api-rotate.test", "www.api-rotate.test"))
                .body("fingerprintSha256", not(equalTo(firstPrint)));
        assertProblem(api().contentType("application/json").header("If-Match", "\"0\"").body(upload("api-rotate", first))
                .put(BASE + "/api-rotate"), 412);
        // The name may be left out of a PUT body; a different one is refused.
        api().contentType("application/json").body(Map.of("certificate", first.chainPem(), "privateKey", first.keyPem()))
                .put(BASE + "/api-rotate").then().statusCode(200).header("ETag", "\"2\"");
        assertViolation(api().contentType("application/json").body(upload("other", first)).put(BASE + "/api-rotate"), "name");

        assertProblem(api().header("If-Match", "\"0\"").delete(BASE + "/api-rotate"), 412);
        api().delete(BASE + "/api-rotate").then().statusCode(204);
        assertProblem(api().get(BASE + "/api-rotate"), 404);
        assertProblem(api().delete(BASE + "/api-rotate"), 404);
    }

    @Test
    void aPutOfANewNameCreatesIt() {
        Issued leaf = TestCertificates.leaf(ROOT, KeyType.EC, "api-put.test");
        api().contentType("application/json").body(upload("api-put", leaf)).put(BASE + "/api-put")
                .then().statusCode(201).header("ETag", "\"0\"");
        assertProblem(post(upload("api-put", leaf)), 409);
        assertProblem(api().contentType("application/json").header("If-Match", "\"0\"")
                .body(upload("api-put-missing", leaf)).put(BASE + "/api-put-missing"), 412);
    }

    @Test
    void eachBadUploadIsA400NamingItsField() {
        Issued leaf = TestCertificates.leaf(ROOT, KeyType.EC, "api-bad.test");
        Issued other = TestCertificates.leaf(ROOT, KeyType.EC, "api-other.test");
        Issued expired = TestCertificates.leaf(ROOT, KeyType.RSA, Instant.now().minus(Duration.ofDays(30)),
                Instant.now().minus(Duration.ofDays(1)), "api-expired.test");
        Issued notYet = TestCertificates.leaf(ROOT, KeyType.RSA, Instant.now().plus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(30)), "api-future.test");
        Issued intermediate = TestCertificates.leaf(ROOT, KeyType.EC, "api-intermediate.test");
        Issued chained = TestCertificates.leaf(intermediate, KeyType.EC, "api-chained.test");

        try (CapturedLog log = new CapturedLog("")) {
            bad(Map.of("certificate", leaf.chainPem(), "privateKey", leaf.keyPem()), "name");
            bad(Map.of("name", "Bad Name", "certificate", leaf.chainPem(), "privateKey", leaf.keyPem()), "name");
            bad(Map.of("name", "b", "privateKey", leaf.keyPem()), "certificate");
            bad(Map.of("name", "b", "certificate", "", "privateKey", leaf.keyPem()), "certificate");
            bad(Map.of("name", "b", "certificate", "not pem", "privateKey", leaf.keyPem()), "certificate");
            bad(Map.of("name", "b", "certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
                    "privateKey", leaf.keyPem()), "certificate");
            bad(Map.of("name", "b", "certificate", leaf.keyPem(), "privateKey", leaf.keyPem()), "certificate");
            bad(Map.of("name", "b", "certificate", expired.chainPem(), "privateKey", expired.keyPem()), "certificate");
            bad(Map.of("name", "b", "certificate", notYet.chainPem(), "privateKey", notYet.keyPem()), "certificate");
            bad(Map.of("name", "b", "certificate", intermediate.certificatePem() + chained.certificatePem(),
                    "privateKey", chained.keyPem()), "certificate");
            bad(Map.of("name", "b", "certificate", leaf.chainPem()), "privateKey");
            bad(Map.of("name", "b", "certificate", leaf.chainPem(), "privateKey", "garbage"), "privateKey");
            bad(Map.of("name", "b", "certificate", leaf.chainPem(), "privateKey", other.keyPem()), "privateKey");
            bad(Map.of("name", "b", "certificate", leaf.chainPem(), "privateKey", leaf.keyPem(), "extra", 1), "extra");
            bad(Map.of("name", "b", "certificate", leaf.chainPem(), "privateKey", List.of(1)), "privateKey");
            assertProblem(api().contentType("application/json").body("{").post(BASE), 400);
            assertProblem(api().contentType("application/json").body("[]").post(BASE), 400);
            assertProblem(api().contentType("text/plain").body("x").post(BASE), 415);
            for (String line : log.lines) {
                assertFalse(line.contains(keyFragment(leaf)) || line.contains(keyFragment(other)), "the key is in the log: " + line);
            }
        }
        api().get(BASE + "/b").then().statusCode(404);
    }

    private static void bad(Map<String, ?> body, String field) {
        String answer = assertViolation(post(body), field).extract().asString();
        for (Object value : body.values()) {
            if (value instanceof String pem && pem.contains("PRIVATE KEY")) {
                assertFalse(answer.contains(pem.lines().skip(2).findFirst().orElseThrow()), answer);
            }
        }
    }
}
