package io.trafficdistributor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training run names the JDK that recorded the startup archive, beside the package only: bin/start and the
 * benchmarks read it to run the service on the one JDK build that can map the archive.
 */
class ArchiveJvmRecordTest {

    @Test
    void writesThisJvmsHomeBesideThePackage(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("quarkus-run.jar"), "");
        ClassArchiveTraining.recordJvm(dir);
        assertEquals(System.getProperty("java.home") + "\n", Files.readString(dir.resolve(ClassArchiveTraining.RECORDED_BY)));
    }

    @Test
    void writesNothingOutsideAPackage(@TempDir Path dir) {
        ClassArchiveTraining.recordJvm(dir);
        assertFalse(Files.exists(dir.resolve(ClassArchiveTraining.RECORDED_BY)));
    }
}
