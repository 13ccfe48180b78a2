package io.ollamaflow.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.core.internal.json.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PinnedPropertiesTest {

  /** Parses JSON written with single quotes, which keeps the cases readable. */
  private static ObjectNode json(String singleQuoted) {
    try {
      return (ObjectNode) Json.MAPPER.readTree(singleQuoted.replace('\'', '"'));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(singleQuoted, e);
    }
  }

  private static List<String> keys(ObjectNode node) {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  @Test
  void nestedOptionsMergeKeepingClientOptionsThatAreNotPinned() {
    ObjectNode request = json("{'model':'llama3','options':{'temperature':0.9,'seed':7}}");
    ObjectNode pins = json("{'options':{'num_ctx':4096,'temperature':0.2}}");

    ObjectNode merged = PinnedProperties.merge(request, pins);

    assertThat(merged).isEqualTo(json("{'model':'llama3','options':{'temperature':0.2,'seed':7,'num_ctx':4096}}"));
  }

  @Test
  void pinnedArrayReplacesTheClientArrayWhole() {
    ObjectNode request = json("{'stop':['a','b','c']}");
    ObjectNode pins = json("{'stop':['--']}");

    assertThat(PinnedProperties.merge(request, pins)).isEqualTo(json("{'stop':['--']}"));
  }

  @Test
  void pinnedScalarReplacesTheClientValue() {
    ObjectNode request = json("{'model':'llama3','stream':true}");
    ObjectNode pins = json("{'stream':false}");

    assertThat(PinnedProperties.merge(request, pins)).isEqualTo(json("{'model':'llama3','stream':false}"));
  }

  @Test
  void pinnedNullSetsThePropertyToNullRatherThanRemovingIt() {
    ObjectNode request = json("{'model':'llama3','format':'json'}");
    ObjectNode pins = json("{'format':null,'keep_alive':null}");

    ObjectNode merged = PinnedProperties.merge(request, pins);

    assertThat(merged.has("format")).isTrue();
    assertThat(merged.get("format").isNull()).isTrue();
    assertThat(merged.get("keep_alive").isNull()).isTrue();
  }

  @Test
  void newKeysAreAppendedAfterExistingOnesWhichKeepTheirPosition() {
    ObjectNode request = json("{'model':'llama3','stream':true,'options':{'seed':1}}");
    ObjectNode pins = json("{'think':false,'stream':false,'options':{'num_ctx':2048,'seed':2}}");

    ObjectNode merged = PinnedProperties.merge(request, pins);

    assertThat(keys(merged)).containsExactly("model", "stream", "options", "think");
    assertThat(keys((ObjectNode) merged.get("options"))).containsExactly("seed", "num_ctx");
  }

  @Test
  void neitherInputIsModifiedNorSharedWithTheResult() {
    ObjectNode request = json("{'options':{'seed':1},'stop':['x']}");
    ObjectNode pins = json("{'options':{'num_ctx':2048},'stop':['--'],'extra':{'a':1}}");
    ObjectNode requestBefore = request.deepCopy();
    ObjectNode pinsBefore = pins.deepCopy();

    ObjectNode merged = PinnedProperties.merge(request, pins);
    ((ObjectNode) merged.get("options")).put("seed", 99);
    ((ObjectNode) merged.get("extra")).put("a", 99);
    merged.withArray("stop").add("y");

    assertThat(request).isEqualTo(requestBefore);
    assertThat(pins).isEqualTo(pinsBefore);
  }

  @Test
  void pinReplacesAnObjectWithAScalarAndAScalarWithAnObject() {
    ObjectNode request = json("{'format':{'type':'object'},'options':'fast'}");
    ObjectNode pins = json("{'format':'json','options':{'num_ctx':2048}}");

    assertThat(PinnedProperties.merge(request, pins))
        .isEqualTo(json("{'format':'json','options':{'num_ctx':2048}}"));
  }

  @Test
  void keysMatchCaseSensitively() {
    ObjectNode request = json("{'Model':'a','options':{'Seed':1}}");
    ObjectNode pins = json("{'model':'b','options':{'seed':2}}");

    assertThat(PinnedProperties.merge(request, pins))
        .isEqualTo(json("{'Model':'a','options':{'Seed':1,'seed':2},'model':'b'}"));
  }

  @Test
  void backendPinsAppliedAfterFrontendPinsTakePrecedence() {
    ObjectNode request = json("{'model':'llama3','options':{'temperature':0.9,'seed':7,'top_k':10}}");
    ObjectNode frontendPins = json("{'options':{'temperature':0.5,'num_ctx':4096},'stream':false}");
    ObjectNode backendPins = json("{'options':{'num_ctx':8192,'top_k':40}}");

    ObjectNode merged = PinnedProperties.merge(PinnedProperties.merge(request, frontendPins), backendPins);

    assertThat(merged).isEqualTo(json(
        "{'model':'llama3','options':{'temperature':0.5,'seed':7,'top_k':40,'num_ctx':8192},'stream':false}"));
  }

  @Test
  void layeredFillsDefaultsIntoGapsThenAppliesFrontendThenBackendPins() {
    ObjectNode request = json("{'model':'llama3','keep_alive':'1m','options':{'seed':7}}");
    ObjectNode defaults = json("{'keep_alive':'30m','options':{'num_ctx':2048,'seed':1}}");
    ObjectNode frontendPins = json("{'options':{'num_ctx':4096},'stream':false}");
    ObjectNode backendPins = json("{'options':{'num_ctx':8192}}");

    assertThat(PinnedProperties.layered(request, defaults, frontendPins, backendPins)).isEqualTo(json(
        "{'model':'llama3','keep_alive':'1m','options':{'seed':7,'num_ctx':8192},'stream':false}"));
  }

  @Test
  void emptyOrNullPinsAreEmpty() {
    assertThat(PinnedProperties.isEmpty(JsonNodeFactory.instance.objectNode())).isTrue();
    assertThat(PinnedProperties.isEmpty(null)).isTrue();
    assertThat(PinnedProperties.isEmpty(json("{'stream':false}"))).isFalse();
  }

  @Test
  void emptyPinsGiveAnEqualCopyOfTheRequest() {
    ObjectNode request = json("{'model':'llama3','options':{'seed':1}}");

    ObjectNode merged = PinnedProperties.merge(request, JsonNodeFactory.instance.objectNode());

    assertThat(merged).isEqualTo(request).isNotSameAs(request);
  }
}
