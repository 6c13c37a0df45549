package io.bridgekeeper.examples.cli;

import com.google.api.gax.core.NoCredentialsProvider;
import io.bridgekeeper.bridges.BridgeEndpoint;
import io.bridgekeeper.bridges.BridgeHealthConfig;
import io.bridgekeeper.bridges.BridgePool;
import io.bridgekeeper.bridges.BridgeRestClient;
import io.bridgekeeper.cloud.CloudException;
import io.bridgekeeper.examples.cli.BridgekeeperCli.UsageException;
import io.bridgekeeper.gcp.GceGroupRef;
import io.bridgekeeper.gcp.GceGroupStatus;
import io.bridgekeeper.gcp.GceInstanceGroupBackend;
import io.bridgekeeper.scaling.Autoscaler;
import io.bridgekeeper.scaling.BridgeDrainer;
import io.bridgekeeper.scaling.ScalingPolicy;
import io.bridgekeeper.scaling.TargetTrackingPolicy;
import io.bridgekeeper.scaling.ThresholdOptions;
import io.bridgekeeper.xmpp.BreweryListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bridgekeeper gce-autoscale}: the autoscaler on a GCE managed instance group. Bridge health
 * comes from the brewery MUCs over XMPP, a policy decides, and the group is grown by resize and
 * shrunk only by deleting drained bridges by name. <b>Dry run unless {@code --apply}</b>: it reads
 * the group and prints what it would do.
 *
 * <p>Credentials: Application Default Credentials (on a GCE VM, its service account). The IAM
 * permissions it needs are listed in the README. The XMPP password comes from a file or from
 * {@code BRIDGEKEEPER_XMPP_PASSWORD}, never from the command line (which {@code ps} shows).
 */
final class GceAutoscaleCommand implements BridgekeeperCli.Command {
  static final String PASSWORD_ENV = "BRIDGEKEEPER_XMPP_PASSWORD";
  private static final Pattern HOST_PORT = Pattern.compile("([^:\\s]+)(?::([0-9]{1,5}))?");

  @Override
  public String usage() {
    return "gce-autoscale --group projects/P/zones/Z/instanceGroupManagers/G (or regions/R) "
        + "--xmpp-domain DOMAIN --xmpp-user USER [--xmpp-password-file FILE] [--xmpp-host HOST[:PORT]] "
        + "--brewery [SOURCE=]MUC-JID... [--policy threshold|target-tracking] [--min 1] [--max 10] "
        + "[--bridge-id '{instance}'] [--bridge-rest-url 'http://{bridge}:8080'] [--interval 10s] "
        + "[--launch-protection 15m] [--drain-deadline 1h] [--no-undrain] [--drain-swaps 0.5] "
        + "[--light-drains FRACTION:WAIT] [--endpoint URL] [--no-credentials] [--once] [--apply]";
  }

  @Override
  public String summary() {
    return "autoscale videobridges in a GCE managed instance group from the brewery (dry run unless --apply)";
  }

  /** Everything the command takes. */
  static final class Options {
    GceGroupRef group;
    String xmppDomain;
    String xmppUser;
    Optional<Path> passwordFile = Optional.empty();
    Optional<String> xmppHost = Optional.empty();
    int xmppPort = 5222;
    final List<BreweryListener.Brewery> breweries = new ArrayList<>();
    String policy = "threshold";
    int min = 1;
    int max = 10;
    String bridgeId = "{instance}";
    String bridgeRestUrl = "http://{bridge}:8080";
    Duration interval = Duration.ofSeconds(10);
    Duration launchProtection = Duration.ofMinutes(15);
    Duration drainDeadline = Duration.ofHours(1);
    boolean undrain = true;
    double drainSwaps = 0.5;
    Optional<Double> lightDrains = Optional.empty();
    Duration lightDrainWait = Duration.ZERO;
    Optional<String> endpoint = Optional.empty();
    boolean noCredentials;
    boolean once;
    boolean apply;

    static Options parse(List<String> args) {
      Options o = new Options();
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        switch (a) {
          case "--group" -> {
            try {
              o.group = GceGroupRef.parse(BridgekeeperCli.optionValue(args, ++i, a));
            } catch (IllegalArgumentException e) {
              throw new UsageException(e.getMessage());
            }
          }
          case "--xmpp-domain" -> o.xmppDomain = BridgekeeperCli.optionValue(args, ++i, a);
          case "--xmpp-user" -> o.xmppUser = BridgekeeperCli.optionValue(args, ++i, a);
          case "--xmpp-password-file" -> o.passwordFile = Optional.of(Path.of(BridgekeeperCli.optionValue(args, ++i, a)));
          case "--xmpp-host" -> {
            Matcher m = HOST_PORT.matcher(BridgekeeperCli.optionValue(args, ++i, a));
            if (!m.matches() || (m.group(2) != null && (Integer.parseInt(m.group(2)) < 1
                || Integer.parseInt(m.group(2)) > 65535))) {
              throw new UsageException("--xmpp-host takes HOST or HOST:PORT");
            }
            o.xmppHost = Optional.of(m.group(1));
            if (m.group(2) != null) {
              o.xmppPort = Integer.parseInt(m.group(2));
            }
          }
          case "--brewery" -> {
            String v = BridgekeeperCli.optionValue(args, ++i, a);
            int eq = v.indexOf('=');
            String jid = eq < 0 ? v : v.substring(eq + 1);
            if (!jid.contains("@") || (eq == 0)) {
              throw new UsageException("--brewery takes [SOURCE=]ROOM@MUC-DOMAIN, was '" + v + "'");
            }
            o.breweries.add(new BreweryListener.Brewery(eq < 0 ? "brewery-" + (o.breweries.size() + 1)
                : v.substring(0, eq), jid));
          }
          case "--policy" -> {
            o.policy = BridgekeeperCli.optionValue(args, ++i, a);
            if (!o.policy.equals("threshold") && !o.policy.equals("target-tracking")) {
              throw new UsageException("--policy is threshold or target-tracking");
            }
          }
          case "--min" -> o.min = count(BridgekeeperCli.optionValue(args, ++i, a), a);
          case "--max" -> o.max = count(BridgekeeperCli.optionValue(args, ++i, a), a);
          case "--bridge-id" -> o.bridgeId = template(BridgekeeperCli.optionValue(args, ++i, a), "{instance}", a);
          case "--bridge-rest-url" -> o.bridgeRestUrl = template(BridgekeeperCli.optionValue(args, ++i, a), "{bridge}", a);
          case "--interval" -> o.interval = BridgekeeperCli.durationValue(args, ++i, a);
          case "--launch-protection" -> o.launchProtection = BridgekeeperCli.durationValue(args, ++i, a);
          case "--drain-deadline" -> o.drainDeadline = BridgekeeperCli.durationValue(args, ++i, a);
          case "--no-undrain" -> o.undrain = false;
          case "--drain-swaps" -> o.drainSwaps = fraction(BridgekeeperCli.optionValue(args, ++i, a), a, true);
          case "--light-drains" -> {
            String v = BridgekeeperCli.optionValue(args, ++i, a);
            int colon = v.indexOf(':');
            if (colon < 0) {
              throw new UsageException("--light-drains takes FRACTION:WAIT, e.g. 0.5:1h, was '" + v + "'");
            }
            o.lightDrains = Optional.of(fraction(v.substring(0, colon), a, false));
            o.lightDrainWait = BridgekeeperCli.durationValue(List.of(v.substring(colon + 1)), 0, a);
          }
          case "--endpoint" -> o.endpoint = Optional.of(BridgekeeperCli.optionValue(args, ++i, a));
          case "--no-credentials" -> o.noCredentials = true;
          case "--once" -> o.once = true;
          case "--apply" -> o.apply = true;
          default -> throw new UsageException("unknown option " + a);
        }
      }
      if (o.group == null) {
        throw new UsageException("--group is required");
      }
      if (o.xmppDomain == null || o.xmppUser == null) {
        throw new UsageException("--xmpp-domain and --xmpp-user are required");
      }
      if (o.breweries.isEmpty()) {
        throw new UsageException("at least one --brewery is required");
      }
      if (o.min > o.max) {
        throw new UsageException("--min " + o.min + " is above --max " + o.max);
      }
      return o;
    }

    /** A fraction of participants: [0, 1) for drain swaps (0: off), (0, 1] for light drains. */
    private static double fraction(String v, String option, boolean swaps) {
      try {
        double f = Double.parseDouble(v);
        if (swaps ? f >= 0 && f < 1 : f > 0 && f <= 1) {
          return f;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new UsageException(option + " takes a fraction " + (swaps ? "from 0 (off) to below 1" : "above 0, at most 1")
          + ", was '" + v + "'");
    }

    private static int count(String v, String option) {
      try {
        int n = Integer.parseInt(v);
        if (n >= 0 && n <= 10_000) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new UsageException(option + " takes a count from 0 to 10000, was '" + v + "'");
    }

    private static String template(String v, String placeholder, String option) {
      if (!v.contains(placeholder)) {
        throw new UsageException(option + " must contain " + placeholder + ", was '" + v + "'");
      }
      return v;
    }
  }

  @Override
  public int run(List<String> args, BufferedReader in, PrintStream out, PrintStream err) {
    Options o = Options.parse(args);
    String password;
    try {
      password = password(o);
    } catch (IOException e) {
      err.println("bridgekeeper gce-autoscale: cannot read " + o.passwordFile.orElseThrow() + ": "
          + BridgekeeperCli.describe(e));
      return BridgekeeperCli.USAGE;
    }
    if (password == null) {
      throw new UsageException("give the XMPP password in --xmpp-password-file FILE or in " + PASSWORD_ENV);
    }
    Clock clock = Clock.systemUTC();
    Function<String, String> bridgeOfInstance = instance -> o.bridgeId.replace("{instance}", instance);
    GceInstanceGroupBackend.Builder gceBuilder = GceInstanceGroupBackend.builder(o.group)
        .bridgeIdOfInstance(bridgeOfInstance).clock(clock);
    o.endpoint.ifPresent(gceBuilder::endpoint);
    if (o.noCredentials) {
      gceBuilder.credentials(NoCredentialsProvider.create());
    }
    BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), clock);
    BridgeRestClient rest = BridgeRestClient.create(Duration.ofSeconds(5));
    BridgeDrainer drainer = BridgeDrainer.rest(rest, bridge -> Optional.of(
        new BridgeEndpoint(bridge, URI.create(o.bridgeRestUrl.replace("{bridge}", bridge)))));
    ScalingPolicy policy = o.policy.equals("threshold")
        ? ScalingPolicy.threshold(ThresholdOptions.jitsiProductionJvb(o.min, o.max))
        : ScalingPolicy.bounded(ScalingPolicy.targetTracking(TargetTrackingPolicy.Options.defaults()), o.min, o.max);
    BreweryListener.Builder brewery = BreweryListener.builder().xmppDomain(o.xmppDomain)
        .credentials(o.xmppUser, password).pool(pool);
    o.xmppHost.ifPresent(h -> brewery.host(h, o.xmppPort));
    o.breweries.forEach(b -> brewery.brewery(b.source(), b.mucJid()));

    try (GceInstanceGroupBackend gce = gceBuilder.build(); BreweryListener listener = brewery.build()) {
      Autoscaler.Builder autoscalerBuilder = Autoscaler.builder().pool(pool).cloud(gce).policy(policy).drainer(drainer)
          .clock(clock).launchProtection(o.launchProtection).drainDeadline(o.drainDeadline).dryRun(!o.apply)
          .undrainOnScaleOut(o.undrain).swapDrainsForLighterBridges(o.drainSwaps, o.drainDeadline)
          .bridgeOfInstance(gce::bridgeIdOf);
      o.lightDrains.ifPresent(f -> autoscalerBuilder.drainOnlyLightBridges(f, o.lightDrainWait));
      Autoscaler autoscaler = autoscalerBuilder.build();
      GceGroupStatus status;
      try {
        status = gce.groupStatus();
      } catch (CloudException e) {
        err.println("bridgekeeper gce-autoscale: cannot read " + o.group + ": " + e.getMessage());
        return BridgekeeperCli.SOME_FAILED;
      }
      out.println((o.apply ? "" : "DRY RUN (no change is made; --apply acts): ") + o.group + ", policy " + policy
          + ", " + o.breweries.size() + " brewery MUC(s)");
      warnings(status, out);
      listener.start();
      int seen = 0;
      while (true) {
        pool.refresh();
        autoscaler.reconcileOnce();
        List<Autoscaler.AuditEntry> audit = autoscaler.audit();
        for (Autoscaler.AuditEntry e : audit.subList(Math.min(seen, audit.size()), audit.size())) {
          out.println(e.at() + "\t" + e.kind() + "\t" + e.message());
        }
        seen = audit.size();
        try {
          out.println(describe(gce.groupStatus()) + ", " + pool.snapshot().bridges().size() + " bridges known");
        } catch (CloudException e) {
          err.println("bridgekeeper gce-autoscale: " + e.getMessage());
        }
        out.flush();
        if (o.once) {
          return BridgekeeperCli.OK;
        }
        try {
          Thread.sleep(o.interval.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return BridgekeeperCli.OK;
        }
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("bridgekeeper gce-autoscale: " + e.getMessage());
      return BridgekeeperCli.USAGE;
    } catch (java.io.UncheckedIOException e) {
      // e.g. no Application Default Credentials on this machine
      err.println("bridgekeeper gce-autoscale: " + e.getMessage());
      return BridgekeeperCli.SOME_FAILED;
    }
  }

  private static String password(Options o) throws IOException {
    if (o.passwordFile.isPresent()) {
      return Files.readString(o.passwordFile.get()).strip();
    }
    return System.getenv(PASSWORD_ENV);
  }

  static String describe(GceGroupStatus s) {
    return s.group().name() + ": target size " + s.targetSize() + (s.stable() ? ", stable" : ", converging")
        + (s.currentActions().isEmpty() ? "" : " " + new java.util.TreeMap<>(s.currentActions()));
  }

  private static void warnings(GceGroupStatus s, PrintStream out) {
    out.println(describe(s));
    s.autoscaler().ifPresent(a -> out.println("warning: GCE autoscaler " + a + " is attached. GCE refuses resizes "
        + "unless its mode is OFF; with mode ONLY_SCALE_OUT, GCE grows the group and this command only drains and "
        + "deletes (use a policy that does not scale out, or expect refused launches in the log)."));
    s.instanceRedistribution().filter(r -> r.equals("PROACTIVE")).ifPresent(r -> out.println("warning: "
        + "instanceRedistributionType is PROACTIVE: after a delete, GCE may delete other VMs to rebalance zones, "
        + "live bridges included. Set updatePolicy.instanceRedistributionType to NONE for this group."));
  }
}
