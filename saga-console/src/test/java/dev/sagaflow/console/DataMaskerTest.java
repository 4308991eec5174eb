package dev.sagaflow.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class DataMaskerTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void fields_masks_the_named_fields_at_any_depth_and_in_arrays_and_leaves_the_rest() throws Exception {
        JsonNode data = mapper.readTree("{\"card\":\"4111\",\"customer\":{\"name\":\"Ada\",\"email\":\"ada@x\"},"
                + "\"items\":[{\"sku\":\"a\",\"card\":{\"n\":1}}],\"note\":\"card\"}");

        JsonNode masked = DataMasker.fields("card", "email").mask("order-saga", data);

        assertThat(mapper.writeValueAsString(masked)).isEqualTo("{\"card\":\"***\",\"customer\":{\"name\":\"Ada\","
                + "\"email\":\"***\"},\"items\":[{\"sku\":\"a\",\"card\":\"***\"}],\"note\":\"card\"}");
    }

    @Test
    void none_shows_the_data_as_it_is() throws Exception {
        JsonNode data = mapper.readTree("{\"card\":\"4111\"}");

        assertThat(DataMasker.none().mask("s", data)).isEqualTo(mapper.readTree("{\"card\":\"4111\"}"));
    }

    @Test
    void fields_accepts_a_name_twice_but_not_null() {
        assertThat(DataMasker.fields("a", "a")).isNotNull();
        assertThatIllegalArgumentException().isThrownBy(() -> DataMasker.fields("a", null))
                .withMessage("field name cannot be null");
    }
}
