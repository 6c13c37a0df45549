package io.bridgekeeper.gcp;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.longrunning.OperationSnapshot;
import com.google.api.gax.longrunning.OperationTimedPollAlgorithm;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.retrying.TimedRetryAlgorithm;
import com.google.api.gax.rpc.ClientSettings;
import com.google.api.gax.rpc.UnaryCallSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Client settings shared by the zonal and regional clients (and the instances client).
 *
 * @param endpoint the Compute endpoint; empty: the client's default ({@code compute.googleapis.com:443}).
 *     An {@code http://} endpoint is used as given (gax-httpjson {@code HttpRequestRunnable}
 *     prepends {@code https://} only to an endpoint without a scheme), which the loopback tests use
 * @param credentials empty: the client's default, Application Default Credentials
 *     ({@code GoogleCredentialsProvider} with the compute scopes)
 * @param requestTimeout the timeout of one HTTP call
 * @param pollInitialDelay first wait before polling an operation
 * @param pollMaxDelay cap of the polling interval
 * @param operationTimeout how long an operation may take before the wait is given up
 */
record ClientConfig(Optional<String> endpoint, Optional<CredentialsProvider> credentials, Duration requestTimeout,
    Duration pollInitialDelay, Duration pollMaxDelay, Duration operationTimeout) {

  /** Endpoint and credentials, if set. */
  <S extends ClientSettings<S>, B extends ClientSettings.Builder<S, B>> B apply(B builder) {
    endpoint.ifPresent(builder::setEndpoint);
    credentials.ifPresent(builder::setCredentialsProvider);
    return builder;
  }

  /**
   * One attempt per call, bounded by the request timeout. gax's own retries are off: by default it
   * retries {@code get} but not {@code resize} or {@code deleteInstances} (InstanceGroupManagersStubSettings),
   * and the backend retries every call itself, so there is one retry layer with one policy.
   */
  RetrySettings singleAttempt() {
    return RetrySettings.newBuilder()
        .setMaxAttempts(1)
        .setTotalTimeoutDuration(requestTimeout)
        .setInitialRpcTimeoutDuration(requestTimeout)
        .setMaxRpcTimeoutDuration(requestTimeout)
        .setRpcTimeoutMultiplier(1.0)
        .setInitialRetryDelayDuration(Duration.ZERO)
        .setMaxRetryDelayDuration(Duration.ZERO)
        .setRetryDelayMultiplier(1.0)
        .build();
  }

  void singleAttempt(UnaryCallSettings.Builder<?, ?> unary) {
    unary.setRetryableCodes(Set.of()).setRetrySettings(singleAttempt());
  }

  /** The initial call of a long-running method: one attempt (the backend retries with the same request id). */
  <Q> UnaryCallSettings<Q, OperationSnapshot> initialCall() {
    return UnaryCallSettings.<Q, OperationSnapshot>newUnaryCallSettingsBuilder()
        .setRetryableCodes(Set.of())
        .setRetrySettings(singleAttempt())
        .build();
  }

  /**
   * Operation polling: exponential from {@link #pollInitialDelay} to {@link #pollMaxDelay}; past
   * {@link #operationTimeout} the future is cancelled ({@code OperationTimedPollAlgorithm} throws
   * {@code CancellationException}).
   */
  TimedRetryAlgorithm polling() {
    return OperationTimedPollAlgorithm.create(RetrySettings.newBuilder()
        .setInitialRetryDelayDuration(pollInitialDelay)
        .setRetryDelayMultiplier(1.5)
        .setMaxRetryDelayDuration(pollMaxDelay)
        .setInitialRpcTimeoutDuration(Duration.ZERO)
        .setRpcTimeoutMultiplier(1.0)
        .setMaxRpcTimeoutDuration(Duration.ZERO)
        .setTotalTimeoutDuration(operationTimeout)
        .build());
  }
}
