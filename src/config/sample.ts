/** The commented sample config.xml `metrix init` writes: every element and attribute explained; it loads as is. */
export function sampleConfig(): string {
  return SAMPLE;
}

// XML comments may not contain two dashes in a row, so options are written "-c FILE", not with long flags.
const SAMPLE = `<?xml version="1.0" encoding="UTF-8"?>
<!--
  metrix configuration. Check it with: metrix config check -c FILE
  (metrix reads ./config.xml unless given -c FILE; cron lines usually give -c /etc/metrix/config.xml.)

  Durations: 250ms, 30s, 5m, 2h, 7d, 1w.   Sizes: 512KB, 1MB, 10MB.
  Relative paths are relative to the directory of this file; "~/" is the home directory
  of the user running metrix. Secrets never go in this file: name the environment
  variable that holds them. Unknown or misspelt elements and attributes are errors.
  In attribute values write > as &gt; and < as &lt;.
-->
<metrix>
  <!--
    <settings>: how metrix itself runs. Every attribute is optional; shown are the defaults.
      concurrency      hosts polled or uploaded to at once (1..1000)
      connectTimeout   give up connecting to a host after this long (1s..1h)
      commandTimeout   give up on a collector run on a host after this long (1s..1h)
      database         SQLite file holding the history
      keys             directory of the poller key pair and the per-host key pairs (0700)
      remoteDir        absolute directory on each host where "metrix upload" puts the collector;
                       made 0700 when missing; an existing one must be the login user's and
                       writable by no one else (never /, /tmp, /usr and such themselves)
      retention        keep raw samples this long (1h..7300d); older ones are removed once rolled up
      rollupRetention  keep 5-minute roll-ups (min, max, avg, count per series) this long
                       (default 365d, at least retention)
      hourlyRetention  keep hourly roll-ups this long (default 1825d, at least rollupRetention)
      maxOutput        largest collector output accepted from one host
      maxSamples       most samples accepted from one host's poll (100..1000000); a host over it fails alone
  -->
  <settings concurrency="20" connectTimeout="10s" commandTimeout="30s" database="./metrix.db"
            keys="./keys" remoteDir="/tmp/metrix" retention="30d" rollupRetention="365d"
            hourlyRetention="1825d" maxOutput="1MB" maxSamples="5000"/>

  <!--
    <defaults>: SSH settings every <host> inherits unless it sets its own. All optional.
      user           login name (default: the user running metrix)
      port           SSH port (default 22)
      identityFile   private key file; leave it out to authenticate through ssh-agent (SSH_AUTH_SOCK)
      passphraseEnv  environment variable holding the passphrase of identityFile
      knownHosts     OpenSSH known_hosts file the host keys are checked against
                     (default ~/.ssh/known_hosts)
      hostKeyPolicy  strict (default): refuse a host whose key is not in knownHosts;
                     accept-new: add an unknown key on first contact.
                     A changed key is refused whatever the policy.
      node           Node.js binary on the hosts, version 12 or newer (default "node")
      remoteDir      replaces <settings remoteDir> for the hosts

    Example:
    <defaults user="monitor" identityFile="~/.ssh/id_ed25519" passphraseEnv="METRIX_KEY_PASSPHRASE"/>
  -->
  <defaults port="22" knownHosts="~/.ssh/known_hosts" hostKeyPolicy="strict" node="node"/>

  <!--
    <hosts>: one <host> per machine to watch; at least one.
      name       unique; letters, digits, ".", "_", "-" (used in logs, mail and "-h NAME")
      transport  ssh (default), or local: poll this machine by running the collector
                 as a child process, no SSH. A local host takes only name, transport and groups.
      address    DNS name or IP address to connect to (default: the name)
      groups     comma-separated group names, for rule scopes and "-g GROUP"
      proxyJump  name of another <host> to jump through (a bastion); all hosts behind
                 one bastion share one connection to it
      user, port, identityFile, passphraseEnv, knownHosts, hostKeyPolicy, node, remoteDir:
                 as in <defaults>, for this host only

    Remote examples:
    <host name="bastion" address="gw.example.org"/>
    <host name="f4" address="10.0.0.4" groups="compute,gpu" proxyJump="bastion"/>
    <host name="f5" address="10.0.0.5" port="2222" user="root" remoteDir="/opt/metrix"
          identityFile="~/.ssh/f5_ed25519" passphraseEnv="METRIX_F5_PASSPHRASE"
          knownHosts="~/.ssh/known_hosts" hostKeyPolicy="accept-new" node="/usr/bin/node18"
          groups="compute"/>
  -->
  <hosts>
    <host name="localhost" transport="local"/>
  </hosts>

  <!--
    <mail>: where alert mail goes. Without <mail>, messages are written to ./outbox.
      transport    file: write one .eml file per message into dir (the default without host)
                   smtp: send through the server named by host (the default with host)
      from         sender address (default metrix@ followed by this machine's name)
      to           comma-separated recipients (default root@localhost)
      dir          file only: directory for the .eml files (default ./outbox)
      host         smtp only: the SMTP server
      security     smtp only: none, starttls (default; tls when port is 465) or tls (implicit TLS)
      port         smtp only: default by security: none 25, starttls 587, tls 465
      user         smtp only: login name; needs passwordEnv
      passwordEnv  smtp only: environment variable holding the password (never the password itself)
      caFile       smtp only: PEM file of extra certificate authorities to trust, e.g. a site CA
      timeout      smtp only: give up on a server that does not connect or greet within this
                   long (default 30s; 1s..1h); later silences and a whole message get a multiple
      giveUpAfter  a message the server has not taken this long after it was queued is given
                   up, with a logged reason (default 2d); until then it is retried with backoff

    SMTP example:
    <mail transport="smtp" host="smtp.example.org" port="587" security="starttls"
          user="metrix" passwordEnv="METRIX_SMTP_PASSWORD" caFile="/etc/pki/site-ca.pem"
          from="metrix@example.org" to="ops@example.org, oncall@example.org"/>
  -->
  <mail transport="file" dir="./outbox" to="root@localhost"/>

  <!--
    <alerts>: one <alert> per rule. A rule compares the average of a metric over window
    (the last sample when there is no window) with value, for every series in scope.
      name           unique; letters, digits, ".", "_", "-" (shown in mail and "metrix alerts")
      metric         what to watch: cpu_percent, mem_percent, swap_percent, load1, load5, load15,
                     disk_used_percent, inodes_used_percent, gpu_temp_c, host_up, ...
                     (the README lists every metric and its labels)
      labels         only series with these labels, e.g. labels="mount=/" for disk_used_percent
      op             > >= < <= == != (in the attribute: &gt; &gt;= &lt; &lt;= == !=)
      value          the limit, a number
      window         average over this long, at least 1m (default 0: the last sample)
      for            the condition must hold this long before the alert fires (default 0)
      keepFiringFor  once firing, stay firing this long after the condition clears (default 0),
                     so one good sample or a missed poll does not resolve it
      clear          hysteresis: once firing, resolve only past this limit; with op="&gt;"
                     it must be at most value (fire above 90, resolve below 80)
      repeat         while firing, send a reminder this often (default 4h)
      severity       info, warning (default) or critical
      sendResolved   true (default): mail when the alert resolves; false: do not
      hosts          only these hosts (comma-separated names of <host> elements)
      groups         only hosts in these groups
      to             recipients for this rule instead of the <mail> ones

    Scoped example:
    <alert name="gpu-hot" metric="gpu_temp_c" op="&gt;" value="85" window="2m" groups="gpu"
           hosts="f4" to="gpu-admins@example.org"/>
  -->
  <alerts>
    <alert name="high-cpu" metric="cpu_percent" op="&gt;" value="90" window="5m" for="3m"
           keepFiringFor="2m" clear="80" severity="warning"/>
    <alert name="high-mem" metric="mem_percent" op="&gt;" value="90" window="5m" for="5m"/>
    <alert name="disk-full" metric="disk_used_percent" labels="mount=/" op="&gt;" value="90"
           severity="critical" repeat="12h"/>
    <alert name="host-down" metric="host_up" op="==" value="0" for="2m" severity="critical"
           sendResolved="true"/>
  </alerts>

  <!--
    <heartbeat>: a dead-man's switch. After a good run metrix sends an HTTP GET to url, and a
    watcher elsewhere (healthchecks.io, a self-hosted Healthchecks, an Uptime Kuma push
    monitor, ...) raises the alarm when the pings stop coming: metrix itself has stopped
    (cron not running, this machine down, the database broken), which its own mail cannot say.
    A good run stored its polls and finished alerting, even if some hosts failed. No ping after
    a run in which every host failed, a run stopped by a signal, or a run refused by the lock.
    A failed ping is one WARN line; it never fails the run, and the next run tries again.
      url      http:// or https:// URL to GET (required); any 2xx answer counts. Its path
               often holds the check's secret token: logs and "metrix config check" show only
               the scheme and host
      every    ping at most once per this long, across runs (default 1m; 0: after every good
               run; 1s..1d). Give the watcher this period plus a grace of a few runs
      timeout  give up on a ping after this long, redirects included (default 10s; 1s..1m)

    Example:
    <heartbeat url="https://hc-ping.com/your-check-uuid" every="5m" timeout="10s"/>
  -->

  <!--
    <web>: "metrix serve", the web view, JSON/CSV API and Prometheus /metrics (its flags
    --listen, --cert, --key and --insecure-listen override these). Users: metrix user add.
      listen     HOST:PORT to listen on (default 127.0.0.1:8080; port 0 picks a free one)
      cert, key  PEM certificate (with its chain) and private key, both or neither: HTTPS
      insecure   true: allow plain HTTP on an address other machines can reach (default
                 false). Passwords and tokens are still refused over it from other machines
      hosts      names the server is reached by, comma-separated (monitor.example.org): a
                 request naming another host is refused (421), IP addresses and localhost
                 always do (--host-name adds more)

    Example:
    <web listen="0.0.0.0:8443" cert="/etc/metrix/tls.crt" key="/etc/metrix/tls.key"/>
  -->

  <!--
    <remoteWrite>: push every stored sample to a Prometheus-compatible store (Prometheus with
    --web.enable-remote-write-receiver, Mimir, Thanos Receive, VictoriaMetrics) by remote write
    1.0. Samples are queued in the database with the run that stores them and sent after the
    run, oldest first; a store that is down keeps them queued, and the next run sends from the
    oldest on. Series carry the host's name as label host, its groups as label group, and
    the names "metrix serve" gives them at /metrics (uptime_seconds). A WARN says when the store is
    down; an ERROR when it refuses samples for good (they are dropped, counted in
    metrix_remote_write_dropped_total) or refuses metrix (wrong url or credentials: nothing is
    dropped).
      url             http:// or https:// URL to POST to (required), e.g.
                      http://prometheus:9090/api/v1/write. Logs show only its scheme and host
      timeout         give up on a request after this long (default 10s; 1s..1m). A run spends
                      at most 30s sending (metrix run: at most half the wait before its next cycle)
      bearerTokenEnv  environment variable holding a bearer token (never the token itself)
      user, passwordEnv  HTTP Basic login, and the environment variable holding its password
      caFile          PEM file of extra CAs to trust for https
      maxQueued       most samples kept waiting (default 5000000; 100..1000000000); past it the
                      oldest are dropped and counted
      labels          extra labels on every series sent, e.g. site=jinr,poller=m1

    Example:
    <remoteWrite url="https://mimir.example.org/api/v1/push" bearerTokenEnv="MIMIR_TOKEN"
                 labels="site=jinr"/>
  -->

  <!--
    <checks>: Nagios-compatible plugins (Debian's monitoring-plugins, or your own) run by the
    collector on the hosts, as part of the poll. Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
    becomes check_status{check}; perfdata becomes check_perf{check,label} in base units. An
    alert on check_status mails the plugin's first output line.
      name     unique name: the check label of its series (required)
      command  one command line, run by /bin/sh -c on the host (required)
      every    run this often (default 5m; 1s..1d); polls in between repeat the last result
      timeout  its time limit (default 10s; 1s..10m, and within commandTimeout less 2s)
      hosts, groups  only these hosts, or hosts in these groups (default: every host)

    Example:
    <checks>
      <check name="slurmd" command="/usr/lib/nagios/plugins/check_procs -c 1: -C slurmd"
             every="5m" groups="compute"/>
    </checks>
  -->

  <!--
    <logs>: files followed by the collector on the hosts, from where the last poll stopped
    (from the end at first sight; rotation by rename and copytruncate followed).
    log_matches{log} counts the new lines that matched; an alert on it mails the lines.
      name        unique name: the log label of log_matches (required)
      path        absolute path of the file on the host (required)
      match       a regular expression (required); no backreferences, lookaround or
                  repeated groups, at most 2 of * + {n,} {n,m>16}; the first 512
                  characters of a line are matched
      ignoreCase  true: match regardless of case (default false)
      hosts, groups  only these hosts, or hosts in these groups (default: every host)

    Example:
    <logs>
      <log name="kernel" path="/var/log/kern.log" match="Out of memory|I/O error"/>
    </logs>
  -->
</metrix>
`;
