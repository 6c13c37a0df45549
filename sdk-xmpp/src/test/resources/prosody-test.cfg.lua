-- Copied from ../shared/reference/prosody-test.cfg.lua (verified with Prosody 0.12.3); additions marked "Bridgekeeper tests".
-- Minimal Prosody 0.12 config for loopback-only integration tests (Jitsi "brewery" style MUC).
-- Start (foreground):  prosody --config DIR/prosody.cfg.lua -F
-- Env overrides (read via Prosody's ENV_<NAME> config lookup):
--   PROSODY_TEST_DIR   state dir (default /tmp/prosody-test); data in $DIR/data
--   PROSODY_TEST_PORT  c2s port   (default 15222)
--   PROSODY_TEST_SMACKS=1  enable XEP-0198 stream management (hibernation PROSODY_TEST_SMACKS_HIBERNATION, default 15 s)

local dir  = ENV_PROSODY_TEST_DIR or "/tmp/prosody-test"
local port = tonumber(ENV_PROSODY_TEST_PORT) or 15222

-- mod_posix (auto-loaded) refuses to run as uid 0 unless this is set; harmless for non-root users.
run_as_root = true

data_path   = dir .. "/data"          -- accounts (internal storage), must be writable by the running user
pidfile     = dir .. "/data/prosody.pid"
certificates = dir .. "/certs"        -- empty dir: no TLS offered-with-cert; avoids "cannot open certs" error

-- Foreground logging to stdout
log = { { levels = { min = ENV_PROSODY_TEST_LOGLEVEL or "info" }, to = "console" } }

-- Network: loopback only, one non-default c2s port, nothing else listening
interfaces           = { "127.0.0.1" }
c2s_ports            = { port }
c2s_direct_tls_ports = { }
s2s_ports            = { }
component_ports      = { }
http_ports           = { }
https_ports          = { }

local mods = { "disco"; "saslauth"; "tls"; "ping"; "roster" }
-- Bridgekeeper tests: prosodyctl shell (a unix socket in data_path), to end sessions as an admin would.
table.insert(mods, "admin_shell")
if ENV_PROSODY_TEST_SMACKS == "1" then table.insert(mods, "smacks") end
modules_enabled  = mods
modules_disabled = { "s2s"; "offline" }   -- no federation; no offline message storage
smacks_hibernation_time = tonumber(ENV_PROSODY_TEST_SMACKS_HIBERNATION) or 15  -- docker-jitsi-meet uses 15

-- Tests: plaintext stream allowed. SCRAM-SHA-1 works without TLS; PLAIN only with the 2nd option.
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_hashed"        -- like Jitsi's auth.* host; "internal_plain" also works
storage = "internal"
limits = { }                               -- no c2s rate limiting in tests

-- Bridgekeeper tests: the bridges' account may create brewery rooms where creation is restricted.
admins = { "jvb@auth.meet.test" }

VirtualHost "auth.meet.test"
  -- Bridgekeeper tests: Jitsi's brewery presence filter (Debian package prosody-modules), for
  -- PROSODY_TEST_FIREWALL=1. Off otherwise: this mod_firewall checks only the first <status> of a
  -- self-presence, so Smack's join (which waits for status 110 behind status 100) would time out.
  if ENV_PROSODY_TEST_FIREWALL == "1" then
    modules_enabled = { "firewall" }
    firewall_scripts = { dir .. "/jvb-presence-filter.pfw" }
  end

Component "internal.auth.meet.test" "muc"
  storage = "memory"                       -- rooms vanish with the process (Jitsi does the same)
  muc_room_locking = false                 -- creator's join doesn't lock the room (Jitsi setting)
  muc_room_default_public_jids = true      -- occupants see real JIDs (Jitsi setting)
  muc_tombstones = false
  restrict_room_creation = false           -- Jitsi: true (only admins e.g. jvb/focus may create); false = simpler tests

-- Bridgekeeper tests: a second brewery host where only admins may create rooms (Jitsi's setting),
-- to test joining a brewery that does not exist yet.
Component "restricted.auth.meet.test" "muc"
  storage = "memory"
  muc_room_locking = false
  muc_room_default_public_jids = true
  muc_tombstones = false
  restrict_room_creation = true
