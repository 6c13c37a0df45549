package io.bridgekeeper.cloud;

import java.util.List;
import java.util.Objects;

/**
 * A {@link CloudBackend} that passes every call to another: extend it and override only the calls
 * a decorator observes or changes (counting actions, auditing deletes, injecting faults), as with
 * Guava's {@code Forwarding*} classes. Thread-safe when the delegate is and the overrides are.
 */
public abstract class ForwardingCloudBackend implements CloudBackend {
  private final CloudBackend delegate;

  protected ForwardingCloudBackend(CloudBackend delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The backend calls go to. */
  protected CloudBackend delegate() {
    return delegate;
  }

  @Override
  public List<CloudInstance> listInstances() {
    return delegate.listInstances();
  }

  @Override
  public int targetSize() {
    return delegate.targetSize();
  }

  @Override
  public void grow(int count) {
    delegate.grow(count);
  }

  @Override
  public void createInstances(List<String> names) {
    delegate.createInstances(names);
  }

  @Override
  public DeleteResult deleteInstances(List<String> names) {
    return delegate.deleteInstances(names);
  }
}
