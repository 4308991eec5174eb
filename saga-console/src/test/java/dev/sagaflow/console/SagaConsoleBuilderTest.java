package dev.sagaflow.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.store.memory.InMemorySagaStore;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SagaConsoleBuilderTest {
    private final SagaOrchestrator orchestrator = SagaOrchestrator.builder(InMemorySagaStore.create()).build();
    private final Authorizer nobody = request -> Optional.empty();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void a_console_without_an_authorizer_is_refused_unless_local_anonymous_access_is_chosen() {
        assertThatIllegalStateException().isThrownBy(() -> SagaConsole.builder(orchestrator).build())
                .withMessageContaining("needs an authorizer").withMessageContaining("allowAnonymousReadOnlyOnLoopback()");
        assertThat(SagaConsole.builder(orchestrator).allowAnonymousReadOnlyOnLoopback().build().toString())
                .contains("anonymous read-only access from loopback only");
    }

    @Test
    void an_authorizer_and_anonymous_access_together_are_refused() {
        assertThatIllegalStateException().isThrownBy(() -> SagaConsole.builder(orchestrator).authorizer(nobody)
                .allowAnonymousReadOnlyOnLoopback().build()).withMessageContaining("not both");
    }

    @Test
    void the_base_path_defaults_to_sagaflow_and_may_be_the_root_or_nested() {
        assertThat(SagaConsole.builder(orchestrator).authorizer(nobody).build().basePath()).isEqualTo("/sagaflow");
        assertThat(SagaConsole.builder(orchestrator).authorizer(nobody).basePath("/").build().basePath()).isEmpty();
        assertThat(SagaConsole.builder(orchestrator).authorizer(nobody).basePath("/ops/sagas").build().basePath())
                .isEqualTo("/ops/sagas");
    }

    @Test
    void bad_settings_are_refused_with_the_setting_named() {
        SagaConsole.Builder builder = SagaConsole.builder(orchestrator);

        assertThatIllegalArgumentException().isThrownBy(() -> builder.basePath("sagaflow")).withMessageContaining("basePath");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.basePath("/sagaflow/")).withMessageContaining("basePath");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.basePath("/a b")).withMessageContaining("basePath");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.pageSize(0)).withMessageContaining("pageSize");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.awaitingReplyThreshold(Duration.ZERO))
                .withMessageContaining("awaitingReplyThreshold");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.csrfSecret(new byte[16]))
                .withMessageContaining("at least 32 bytes");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.trustedOrigins("https://ops.example.com/path"))
                .withMessageContaining("origin");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.authorizer(null))
                .withMessage("authorizer cannot be null");
        assertThatIllegalArgumentException().isThrownBy(() -> SagaConsole.builder(null))
                .withMessage("orchestrator cannot be null");
    }

    @Test
    void build_copies_so_later_builder_calls_do_not_change_a_built_console() {
        SagaConsole.Builder builder = SagaConsole.builder(orchestrator).authorizer(nobody).basePath("/first");
        SagaConsole first = builder.build();

        builder.basePath("/second").trustedOrigins("https://ops.example.com");

        assertThat(first.basePath()).isEqualTo("/first");
        assertThat(first.toString()).doesNotContain("ops.example.com");
        assertThat(builder.build().toString()).contains("basePath \"/second\"").contains("https://ops.example.com");
    }

    @Test
    void to_string_prints_every_setting() {
        SagaConsole console = SagaConsole.builder(orchestrator).authorizer(nobody).pageSize(20)
                .awaitingReplyThreshold(Duration.ofMinutes(5)).build();

        assertThat(console.toString()).contains("basePath \"/sagaflow\"").contains("pageSize 20")
                .contains("awaitingReplyThreshold PT5M").contains("trustedOrigins []").contains("dataMasker");
    }
}
