package dev.sagaflow.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JacksonCodecTest {
    public static class Parcel {
        public String label;
        public int weight;
    }

    public static class Fragile extends Parcel {
        public boolean upright;
    }

    private final JacksonCodec codec = new JacksonCodec(new ObjectMapper());

    @Test
    void a_value_reads_back_equal_through_the_cached_reader_and_writer() throws Exception {
        Parcel parcel = new Parcel();
        parcel.label = "books";
        parcel.weight = 7;

        String first = codec.encode(parcel);
        parcel.weight = 8;
        String second = codec.encode(parcel);
        Parcel read = codec.decode(second, Parcel.class);

        assertThat(first).isEqualTo("{\"label\":\"books\",\"weight\":7}");
        assertThat(read.label).isEqualTo("books");
        assertThat(read.weight).isEqualTo(8);
    }

    @Test
    void readers_and_writers_are_made_once_per_class() {
        assertThat(codec.writer(Parcel.class)).isSameAs(codec.writer(Parcel.class));
        assertThat(codec.reader(Parcel.class)).isSameAs(codec.reader(Parcel.class));
        assertThat(codec.writer(Fragile.class)).isNotSameAs(codec.writer(Parcel.class));
        assertThat(codec.reader(Fragile.class)).isNotSameAs(codec.reader(Parcel.class));
    }

    @Test
    void a_subclass_is_written_with_its_own_fields_after_its_parent_was_cached() throws Exception {
        Parcel parcel = new Parcel();
        parcel.label = "plates";
        codec.encode(parcel);
        Fragile fragile = new Fragile();
        fragile.label = "glass";
        fragile.upright = true;

        String text = codec.encode(fragile);

        assertThat(text).contains("\"upright\":true");
        assertThat(codec.decode(text, Fragile.class).upright).isTrue();
    }

    @Test
    void text_of_another_shape_fails_to_decode_as_with_the_mapper() {
        assertThatThrownBy(() -> codec.decode("{\"label\":\"x\",\"colour\":\"red\"}", Parcel.class))
                .hasMessageContaining("colour");
    }

    @Test
    void null_encodes_as_json_null_and_decodes_back_to_null() throws Exception {
        assertThat(codec.encode(null)).isEqualTo("null");
        assertThat(codec.decode("null", Parcel.class)).isNull();
    }
}
