package io.trafficdistributor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * openapi/openapi.yaml passes Redocly's recommended rules (tools/openapi-lint/redocly.yaml) without an error or a
 * warning. The CLI is pinned in tools/openapi-lint/package.json; {@code npm ci --prefix tools/openapi-lint}
 * installs it (.ci/run does).
 */
class OpenApiLintTest {

    private static final Path TOOL = Path.of("tools", "openapi-lint");
    private static final Path CLI = TOOL.resolve(Path.of("node_modules", ".bin", "redocly"));

    @Test
    void theContractLintsClean() throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(CLI), "Redocly's CLI is not installed at " + CLI
                + ": run  npm ci --prefix tools/openapi-lint  (as .ci/run does)");
        Process lint = new ProcessBuilder(CLI.toString(), "lint", "--config", TOOL.resolve("redocly.yaml").toString(),
                "--format", "stylish", Path.of("openapi", "openapi.yaml").toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(lint.waitFor(120, TimeUnit.SECONDS), "the lint did not finish in 120 s");
        assertEquals(0, lint.exitValue(), output);
        assertTrue(output.contains("Woohoo! Your API description is valid."), output);
        // stylish: one "line:column  warning|error  rule  message" line per problem
        assertTrue(output.lines().noneMatch(line -> line.matches("\\s*\\d+:\\d+\\s+(warning|error)\\s.*")),
                "the lint reports problems:\n" + output);
    }
}
