// Runs after the fresh project's `mvn verify` (invoker postBuildHookScript). Asserts what the
// README example printed and wrote. basedir: the cloned project.
import java.nio.file.Files
import java.util.zip.CRC32

def log = new File(basedir, 'build.log').getText('UTF-8')
def routed = (log =~ /Daily Standup -> (\S+), HAProxy's view -> (\S+)/)
assert routed.find() : 'the example did not print its routing line'
def shard = routed.group(1)
assert shard in ['eu-1', 'eu-2']
assert routed.group(2) == shard : 'the room name and its request target routed apart'

def dir = new File(basedir, 'target/haproxy')
def cfg = new File(dir, 'haproxy.cfg').getText('UTF-8')
assert cfg.contains('backend shard_eu-1') && cfg.contains('backend shard_eu-2')
assert cfg.contains('server eu-1 10.0.1.10:443') && cfg.contains('server eu-2 10.0.2.10:443')
assert cfg.contains(new File(dir, 'buckets.map').absolutePath) : 'haproxy.cfg does not name the written map'

def buckets = new File(dir, 'buckets.map').readLines('UTF-8')
assert buckets.size() == 65536 : "buckets.map has ${buckets.size()} lines"
def owner = buckets.collectEntries { line -> def (b, backend) = line.split(' '); [(b as int): backend] }
assert owner.values().toSet() == ['shard_eu-1', 'shard_eu-2'] as Set
// HAProxy's lookup (crc32,mod(65536) of the key) must name the backend of the shard Java chose.
def crc = new CRC32(); crc.update('daily standup'.getBytes('UTF-8'))
assert owner[(int) (crc.value % 65536)] == 'shard_' + shard
assert new File(dir, 'pins.map').exists() && new File(dir, 'pins.map').length() == 0

// Bridgekeeper came from the isolated repository (settings.xml serves no snapshot from ~/.m2).
def version = new File(localRepositoryPath, 'io/bridgekeeper/bridgekeeper-bom').list().find { it.endsWith('-SNAPSHOT') }
assert version : 'no bridgekeeper-bom in the isolated repository'
assert new File(localRepositoryPath, "io/bridgekeeper/sdk-core/${version}/sdk-core-${version}.jar").isFile()
assert log.contains('BUILD SUCCESS')
return true
