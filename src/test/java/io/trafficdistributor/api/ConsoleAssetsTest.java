package io.trafficdistributor.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The web console is served by the admin port itself, without the admin token (the page asks for it), and every
 * asset it needs comes from the service: no URL elsewhere, so it works on a machine with no internet.
 */
@QuarkusTest
class ConsoleAssetsTest {

    static final Path STATIC = Path.of("src", "main", "resources", "META-INF", "resources");
    /** The one absolute URL allowed: SVG's namespace name, an identifier that is never fetched. */
    static final String SVG_NAMESPACE = "http://www.w3.org/2000/svg";

    static List<Path> assets() throws IOException {
        try (Stream<Path> files = Files.walk(STATIC)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void thePageAndEveryAssetLoadWithoutTheToken() throws IOException {
        given().get("/").then().statusCode(200).contentType(startsWith("text/html"))
                .body(containsString("<script type=\"module\" src=\"/console/app.js\">"));
        List<Path> assets = assets();
        assertFalse(assets.size() < 8, "index.html and the console's files: " + assets);
        for (Path asset : assets) {
            String path = "/" + STATIC.relativize(asset).toString().replace('\\', '/');
            String type = path.endsWith(".js") ? "text/javascript" : path.endsWith(".css") ? "text/css" : "text/html";
            // Browsers run a module script only when it is served with a JavaScript type.
            given().get(path).then().statusCode(200).contentType(startsWith(type));
        }
    }

    @Test
    void noAssetRefersToAnotherHost() throws IOException {
        Pattern url = Pattern.compile("(https?:)?//[a-zA-Z0-9.-]+\\.[a-z]{2,}[^\\s'\"`)]*");
        for (Path asset : assets()) {
            Matcher found = url.matcher(Files.readString(asset).replace(SVG_NAMESPACE, ""));
            assertFalse(found.find(), () -> asset + " refers to " + found.group());
        }
    }

    @Test
    void theApiStillNeedsTheToken() {
        assertEquals(401, given().get("/api/v1/distributors").statusCode());
    }
}
