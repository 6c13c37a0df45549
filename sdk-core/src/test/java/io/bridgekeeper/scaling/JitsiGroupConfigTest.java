package io.bridgekeeper.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class JitsiGroupConfigTest {
  /** A JVB group with Jitsi's production values (infra-provisioning create-jvb-pool.sh). */
  static final String JVB_GROUP = """
      {"name": "meet-jit-si-us-east-1-jvb", "type": "JVB", "region": "us-east-1", "environment": "prod",
       "compartmentId": "x", "instanceConfigurationId": "y", "enableAutoScale": true, "enableLaunch": true,
       "gracePeriodTTLSec": 600, "protectedTTLSec": 900, "cloud": "oracle", "tags": {},
       "scalingOptions": {"minDesired": 1, "maxDesired": 8, "desiredCount": 2, "scaleUpQuantity": 1,
         "scaleDownQuantity": 1, "scaleUpThreshold": 0.3, "scaleDownThreshold": 0.1, "scalePeriod": 60,
         "scaleUpPeriodsCount": 2, "scaleDownPeriodsCount": 10}}
      """;

  @Test
  void readsAJvbGroup() {
    JitsiGroupConfig g = JitsiGroupConfig.parse(JVB_GROUP);
    assertEquals("meet-jit-si-us-east-1-jvb", g.name());
    assertEquals(2, g.desiredCount());
    assertEquals(Duration.ofSeconds(900), g.protectedTtl());
    assertEquals(ThresholdOptions.jitsiProductionJvb(1, 8), g.options());
  }

  @Test
  void badGroupsNameTheField() {
    for (String[] bad : new String[][] {
        {JVB_GROUP.replace("\"type\": \"JVB\"", "\"type\": \"jibri\""), "type"},
        {JVB_GROUP.replace("\"scalePeriod\": 60", "\"scalePeriod\": \"60\""), "scalingOptions.scalePeriod"},
        {JVB_GROUP.replace("\"desiredCount\": 2", "\"desiredCount\": 9"), "scalingOptions.desiredCount"},
        {JVB_GROUP.replace("\"gracePeriodTTLSec\": 600,", ""), "gracePeriodTTLSec"},
        {JVB_GROUP.replace("\"scaleDownThreshold\": 0.1", "\"scaleDownThreshold\": 0.5"), "scaleDownThreshold"},
        {"{", "not JSON"}, {"[]", "object"}}) {
      JitsiGroupConfig.InvalidGroupConfigException e = assertThrows(
          JitsiGroupConfig.InvalidGroupConfigException.class, () -> JitsiGroupConfig.parse(bad[0]), bad[1]);
      assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
    }
  }

  @Test
  void periodsAndDurationsThatCannotBeEvaluatedAreRefusedNamingTheField() {
    // Each parsed, then every decision threw (scalePeriod × count overflows) or allocated a
    // period list of two billion entries.
    for (String[] bad : new String[][] {
        {JVB_GROUP.replace("\"scalePeriod\": 60", "\"scalePeriod\": 2147483647"), "scalingOptions.scalePeriod"},
        {JVB_GROUP.replace("\"scalePeriod\": 60", "\"scalePeriod\": 0"), "scalingOptions.scalePeriod"},
        {JVB_GROUP.replace("\"scaleDownPeriodsCount\": 10", "\"scaleDownPeriodsCount\": 2147483647"),
            "scalingOptions.scaleDownPeriodsCount"},
        {JVB_GROUP.replace("\"scaleUpPeriodsCount\": 2", "\"scaleUpPeriodsCount\": 100000"),
            "scalingOptions.scaleUpPeriodsCount"},
        {JVB_GROUP.replace("\"gracePeriodTTLSec\": 600", "\"gracePeriodTTLSec\": 2147483647"), "gracePeriodTTLSec"},
        {JVB_GROUP.replace("\"protectedTTLSec\": 900", "\"protectedTTLSec\": 2147483647"), "protectedTTLSec"}}) {
      JitsiGroupConfig.InvalidGroupConfigException e = assertThrows(
          JitsiGroupConfig.InvalidGroupConfigException.class, () -> JitsiGroupConfig.parse(bad[0]), bad[1]);
      assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
    }
  }

  @Test
  void aGroupJitsiDoesNotAutoscaleIsRefusedNamingTheGroup() {
    // jitsi-autoscaler skips a group with !enableAutoScale (src/autoscaler.ts processAutoscalingByGroup)
    // and launches or removes nothing for one with !enableLaunch (src/instance_launcher.ts): such
    // a group is managed by hand. Read into an active policy, it would be scaled all the same.
    for (String flag : new String[] {"enableAutoScale", "enableLaunch"}) {
      JitsiGroupConfig.InvalidGroupConfigException e = assertThrows(JitsiGroupConfig.InvalidGroupConfigException.class,
          () -> JitsiGroupConfig.parse(JVB_GROUP.replace("\"" + flag + "\": true", "\"" + flag + "\": false")));
      assertTrue(e.getMessage().contains(flag) && e.getMessage().contains("meet-jit-si-us-east-1-jvb"), e.getMessage());
      // "false" is true in JavaScript: a flag that is not a boolean is refused, not guessed.
      e = assertThrows(JitsiGroupConfig.InvalidGroupConfigException.class,
          () -> JitsiGroupConfig.parse(JVB_GROUP.replace("\"" + flag + "\": true", "\"" + flag + "\": \"false\"")));
      assertTrue(e.getMessage().contains(flag), e.getMessage());
      // Missing is off for jitsi-autoscaler (undefined is falsy).
      e = assertThrows(JitsiGroupConfig.InvalidGroupConfigException.class,
          () -> JitsiGroupConfig.parse(JVB_GROUP.replace("\"" + flag + "\": true,", "")));
      assertTrue(e.getMessage().contains(flag), e.getMessage());
    }
  }
}
