package dev.sagaflow.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.jdbc.internal.Schema;
import dev.sagaflow.jdbc.internal.Tables;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The schema files in the jar: safe to run twice, never destructive, no caps on JSON and text. */
class SchemaFilesTest {

    @ParameterizedTest
    @EnumSource(JdbcDialect.class)
    void every_dialect_has_a_schema_file_that_never_drops_and_only_creates_what_is_missing(JdbcDialect dialect) {
        String sql = dialect.schemaSql("saga_");
        String upper = sql.toUpperCase(Locale.ROOT);

        assertThat(dialect.schemaResource()).isEqualTo("dev/sagaflow/jdbc/schema/"
                + dialect.name().toLowerCase(Locale.ROOT) + ".sql");
        assertThat(upper).doesNotContain("DROP ").doesNotContain("TRUNCATE").doesNotContain("ALTER ");
        assertThat(sql).doesNotContain("${prefix}").contains("saga_instances").contains("saga_history");
        for (String statement : Schema.statements(dialect, new Tables("saga_"))) {
            assertThat(statement.toUpperCase(Locale.ROOT)).containsAnyOf("CREATE TABLE IF NOT EXISTS",
                    "CREATE INDEX IF NOT EXISTS", "CREATE UNIQUE INDEX IF NOT EXISTS");
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDialect.class)
    void json_and_text_columns_have_no_size_cap(JdbcDialect dialect) {
        for (String line : dialect.schemaSql("saga_").split("\n")) {
            String column = line.strip().toLowerCase(Locale.ROOT);
            if (column.startsWith("data ") || column.startsWith("steps ") || column.startsWith("error ")
                    || column.startsWith("detail ")) {
                assertThat(column).as(line).doesNotContain("varchar").doesNotContainPattern("\\(\\s*\\d+\\s*\\)");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDialect.class)
    void the_prefix_placeholder_is_filled_in_everywhere(JdbcDialect dialect) {
        String sql = String.join(";\n", Schema.statements(dialect, new Tables("billing_")));

        assertThat(sql).doesNotContain("saga_instances").doesNotContain("saga_history")
                .contains("billing_instances (").contains("billing_history (")
                .contains("billing_instances_status_created_idx");
    }

    @ParameterizedTest
    @EnumSource(JdbcDialect.class)
    void an_unsafe_prefix_is_rejected(JdbcDialect dialect) {
        assertThatThrownBy(() -> dialect.schemaSql("x; DROP TABLE users; --"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
