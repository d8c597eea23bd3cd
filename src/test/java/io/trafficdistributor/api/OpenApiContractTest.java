package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.quarkus.test.junit.QuarkusTest;

/**
 * openapi/openapi.yaml is the API's contract. This fails when the document the service serves differs from
 * it, or when the operations it documents differ from the JAX-RS resource methods that exist.
 */
@QuarkusTest
class OpenApiContractTest {

    private static final Path CONTRACT = Path.of("openapi", "openapi.yaml");
    private static final String API_PACKAGE = "io.trafficdistributor.api";
    private static final Map<Class<? extends Annotation>, String> HTTP_METHODS = Map.of(
            GET.class, "GET", POST.class, "POST", PUT.class, "PUT", PATCH.class, "PATCH", DELETE.class, "DELETE");
    private static final Set<String> OPENAPI_METHODS = Set.of("get", "put", "post", "delete", "options", "head",
            "patch", "trace");

    @Test
    void servedDocumentIsTheContract() throws IOException {
        String served = api().accept("application/json").get("/q/openapi?format=json")
                .then().statusCode(200).extract().asString();
        List<String> differences = new ArrayList<>();
        diff("", contract(), new ObjectMapper().readTree(served), differences);
        assertEquals(List.of(), differences,
                "/q/openapi differs from openapi/openapi.yaml; the service must serve the contract unchanged");
    }

    @Test
    void everyResourceMethodIsDocumentedAndEveryDocumentedOperationExists() throws IOException {
        Set<String> documented = new TreeSet<>();
        Iterator<Map.Entry<String, JsonNode>> paths = contract().path("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(key -> {
                if (OPENAPI_METHODS.contains(key)) {
                    documented.add(key.toUpperCase() + " " + path.getKey());
                }
            });
        }
        Set<String> implemented = resourceOperations();
        assertFalse(implemented.isEmpty(), "no JAX-RS resource found in " + API_PACKAGE);
        assertEquals(implemented, documented,
                "the operations in openapi/openapi.yaml must be exactly the resource methods of " + API_PACKAGE);
    }

    @Test
    void swaggerUiIsServed() {
        api().get("/q/swagger-ui").then().statusCode(200);
    }

    /** The JSON pointers at which the two trees differ (object key order does not count, array order does). */
    private static void diff(String at, JsonNode contract, JsonNode served, List<String> out) {
        if (contract.isObject() && served.isObject()) {
            Set<String> keys = new TreeSet<>();
            contract.fieldNames().forEachRemaining(keys::add);
            served.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                String child = at + "/" + key.replace("~", "~0").replace("/", "~1");
                if (!contract.has(key)) {
                    out.add(child + ": only served: " + served.get(key));
                } else if (!served.has(key)) {
                    out.add(child + ": not served: " + contract.get(key));
                } else {
                    diff(child, contract.get(key), served.get(key), out);
                }
            }
        } else if (contract.isArray() && served.isArray() && contract.size() == served.size()) {
            for (int i = 0; i < contract.size(); i++) {
                diff(at + "/" + i, contract.get(i), served.get(i), out);
            }
        } else if (!contract.equals(served)) {
            out.add(at + ": file has " + contract + ", served " + served);
        }
    }

    private static JsonNode contract() throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(CONTRACT.toFile());
    }

    /** "METHOD /path/{template}" for every resource method of the API package, class and method @Path combined. */
    private static Set<String> resourceOperations() throws IOException {
        Set<String> operations = new TreeSet<>();
        for (Class<?> type : apiClasses()) {
            jakarta.ws.rs.Path classPath = type.getAnnotation(jakarta.ws.rs.Path.class);
            if (classPath == null) {
                continue;
            }
            for (Method method : type.getDeclaredMethods()) {
                for (Map.Entry<Class<? extends Annotation>, String> http : HTTP_METHODS.entrySet()) {
                    if (method.isAnnotationPresent(http.getKey())) {
                        jakarta.ws.rs.Path methodPath = method.getAnnotation(jakarta.ws.rs.Path.class);
                        operations.add(http.getValue() + " "
                                + join(classPath.value(), methodPath == null ? "" : methodPath.value()));
                    }
                }
            }
        }
        return operations;
    }

    private static String join(String classPath, String methodPath) {
        String joined = "/" + trimSlashes(classPath) + (methodPath.isEmpty() ? "" : "/" + trimSlashes(methodPath));
        // A template with a regular expression, {name: [a-z]+}, is {name} in OpenAPI.
        return joined.replaceAll("\\{\\s*([^}:\\s]+)\\s*:[^}]*}", "{$1}");
    }

    private static String trimSlashes(String path) {
        return path.replaceAll("^/+|/+$", "");
    }

    /** The top-level classes compiled into the API package (tests run from target/classes, a directory). */
    private static Set<Class<?>> apiClasses() throws IOException {
        URL marker = DistributorResource.class.getResource(DistributorResource.class.getSimpleName() + ".class");
        Path directory;
        try {
            directory = Path.of(marker.toURI()).getParent();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot list the classes of " + API_PACKAGE + " from " + marker, e);
        }
        Set<Class<?>> classes = new java.util.LinkedHashSet<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".class") && !name.contains("$")) {
                    classes.add(load(API_PACKAGE + "." + name.substring(0, name.length() - ".class".length())));
                }
            }
        }
        return classes;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, OpenApiContractTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
