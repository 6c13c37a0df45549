package io.bridgekeeper.routing;

import java.util.Map;

/** The strategies a topology file can name. Package-private: the names are the API. */
final class BuiltinPlacements {
  static final Map<String, PlacementStrategy> BY_NAME =
      Map.of(MaglevPlacement.INSTANCE.name(), MaglevPlacement.INSTANCE,
          RendezvousPlacement.INSTANCE.name(), RendezvousPlacement.INSTANCE);

  private BuiltinPlacements() {}
}
