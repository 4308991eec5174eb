package dev.sagaflow.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.store.SagaStore;
import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The jars as built (run by Failsafe after {@code package}): each names its version and its module, so that
 * a host on the module path gets {@code dev.sagaflow.jdbc} and {@code dev.sagaflow.core}, not names derived from
 * file names.
 */
class JarManifestIT {
    private final String version = System.getProperty("sagaflow.version");

    @Test
    void the_jdbc_store_jar_carries_its_version_and_module_name() throws IOException {
        Path jar = Path.of(System.getProperty("sagaflow.jar"));

        assertManifest(jar, "dev.sagaflow.jdbc");
    }

    @Test
    void the_core_jar_it_is_built_against_carries_its_version_and_module_name() throws IOException, URISyntaxException {
        Path jar = Path.of(SagaStore.class.getProtectionDomain().getCodeSource().getLocation().toURI());

        assertThat(jar.toString()).as("saga-core from the reactor, as a jar").endsWith(".jar");
        assertManifest(jar, "dev.sagaflow.core");
    }

    private void assertManifest(Path jar, String moduleName) throws IOException {
        assertThat(Files.isRegularFile(jar)).as("%s exists", jar).isTrue();
        try (JarFile file = new JarFile(jar.toFile())) {
            Attributes attributes = file.getManifest().getMainAttributes();
            assertThat(attributes.getValue("Implementation-Version")).isEqualTo(version);
            assertThat(attributes.getValue("Automatic-Module-Name")).isEqualTo(moduleName);
        }
        assertThat(ModuleFinder.of(jar).findAll()).extracting(ModuleReference::descriptor)
                .extracting(descriptor -> descriptor.name()).containsExactly(moduleName);
    }
}
