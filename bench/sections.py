"""The page's section for each figure: what ran (the command and the method), our values, the anchors, ratios."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.common import paired_ratio

if TYPE_CHECKING:
    from bench.asset_size import Asset, AssetSize
    from bench.capacity import Capacity
    from bench.cold_init import ColdInit
    from bench.common import Stats
    from bench.request_types import RequestTypes
    from bench.synth import Synth, SynthCell

RUN = ".venv/bin/python bench/run.py"
COLD_INIT_GOAL = 1.2
SYNTH_GOAL = 1.2
SYNTH_HEADER = (
    "| users | variant | resources | wall, median (min-max) | vs floor | CPU | vs floor "
    "| imports / build / synth | over the empty app | jsii calls |\n" + "| --- " * 10 + "|"
)


def cold_init_section(cold: ColdInit) -> str:
    floor = cold.variants["floor"]
    rows = []
    for variant in cold.variants.values():
        rows.append(
            f"| `{variant.name}` | {variant.what} | {ms(variant.init_ms.median)} ({ms_range(variant.init_ms)}) | "
            f"{ms(variant.process_ms.median)} | "
            f"{vs(variant.init_ms, floor.init_ms)} |"
        )
    return f"""## 1. Handler cold init

Command: `{RUN} cold-init`. Each run is a fresh `python -S -s -B bench/cold_child.py VARIANT` that can import
only the staged asset folder (`cognito_sms_mfa.handler_asset.staged_asset()`), a folder holding just boto3 and
its dependencies (`lambda_runner.runtime_path()`) and the standard library, with Lambda's variables and dummy
credentials; nothing is written as bytecode, so the asset's modules are compiled at every start, as on Lambda's
read-only file system. The child times its start-up with `time.perf_counter()`; the parent times the whole
process, interpreter start-up included. "vs floor" is the median of the per-round ratios: the variants of a round
run back to back, so this cancels most drift in the machine's load. {cold.runs} runs of
each variant, interleaved, after one unmeasured round.

| variant | what the child does, timed | start-up, median (min-max) | whole process, median | vs floor |
| --- | --- | --- | --- | --- |
{chr(10).join(rows)}

Ours is {cold.ours_vs_floor:.2f}x the floor; goal ≤ {COLD_INIT_GOAL}x.
crhelper's constructor builds lambda, events and logs clients that only its polling mode uses; `index.py`
constructs it with `AWS_SAM_LOCAL` set for that one call (`_without_polling_clients`), which skips them. With
them (`ours_with_polling_clients`) the start-up is {ms(cold.polling_clients_saved_ms)} longer (median of the
differences within each round): that is what the skip saves at every cold start.
"""


def requests_section(req: RequestTypes) -> str:
    rows = []
    for figure in req.requests.values():
        actions = ", ".join(f"`{action}`" for action in figure.actions) or "none"
        rows.append(
            f"| {figure.request} | {figure.cognito_calls} ({actions}) | {at_most(figure.goal_calls)} | "
            f"{ms(figure.time_ms.median)} ({ms_range(figure.time_ms)}) | {ms(figure.first_ms)} |"
        )
    ours_timeout = int(req.lambda_timeout_s)
    ours_sleep = next(a.crhelper_sleep_s for a in req.delete_anchor if a.lambda_timeout_s == ours_timeout)
    first_sleeping = min((a.lambda_timeout_s for a in req.delete_anchor if a.crhelper_sleep_s > 0), default=0)
    longest_sleep = max(a.crhelper_sleep_s for a in req.delete_anchor)
    anchors = [
        f"| {a.lambda_timeout_s} s | {a.crhelper_sleep_s:g} s | {duration(a.delete_ms)} | {a.ratio_to_ours:,.0f}x |"
        for a in req.delete_anchor
    ]
    return f"""## 2. Per request type

Command: `{RUN} requests`. The staged asset's `index` runs in the benchmark process, as in
`tests/functional/`: Cognito is the local emulator (`cognito_sms_mfa.local.CognitoEmulator`, over HTTP on
127.0.0.1, through `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`), and the ResponseURL is a local TLS endpoint
(`ResponseCollector`, its throwaway CA trusted through `SSL_CERT_FILE`), so crhelper sends its real HTTPS PUT.
Each round sends Create (alice gets SMS MFA), Update (her options cleared), Delete of the id Create returned,
and Delete of an id in crhelper's random format (as after a failed Create). Time: from the handler call to the
response in the collector. Calls: the actions the emulator received. {req.runs} rounds after one warm-up round
(whose times are shown as "first").

| request | Cognito calls | goal | time, median (min-max) | first |
| --- | --- | --- | --- | --- |
{chr(10).join(rows)}

Anchor: crhelper's default `sleep_on_delete=120`. After the delete function returns, crhelper's
`_wait_for_cwlogs` sleeps `sleep_on_delete` seconds only when `int(remaining seconds) - 15 > sleep_on_delete`.
The table asks that function itself (with a recording `sleep`, so nothing sleeps) at several Lambda timeouts,
the time our Delete took already spent. This library's handler times out after {ours_timeout} s, so with crhelper's
defaults its Delete would sleep {ours_sleep:g} s; a timeout of {first_sleeping} s or more would make every Delete
sleep {longest_sleep:g} s. The handler sets `sleep_on_delete=0`, so its Delete time does not depend on its timeout.

| Lambda timeout | crhelper default sleeps | Delete with crhelper defaults | vs ours |
| --- | --- | --- | --- |
{chr(10).join(anchors)}
"""


def asset_section(asset: AssetSize) -> str:
    def row(name: str, one: Asset) -> str:
        return (
            f"| {name} | {len(one.files)} | {size(one.unzipped_bytes)} | {size(one.zipped_bytes)} | "
            f"{ratio_text(one.zipped_bytes, asset.ours.zipped_bytes)} |"
        )

    return f"""## 3. Lambda asset size

Command: `{RUN} asset-size`. Both asset folders are zipped the same deterministic way (sorted names, fixed
timestamps and modes, deflate level 9). Ours is the staged asset folder (the handler modules plus crhelper and its
licence), checked to be byte-identical with the copy a synthesis puts in the cloud assembly. The anchor is the
asset folder of the singleton function behind `AwsCustomResource` in a synthesized stack (one `index.js`,
Node.js; it uses the AWS SDK of the Lambda runtime, as ours uses the runtime's boto3).

| asset | files | unzipped | zipped | vs ours |
| --- | --- | --- | --- | --- |
{row("ours", asset.ours)}
{row("`AwsCustomResource` handler", asset.aws_custom_resource)}

Ours is {size(asset.ours.zipped_bytes)} zipped; goal ≤ {size(asset.goal_bytes)}.
"""


def synth_section(synth: Synth) -> str:
    cell = cells(synth)
    names = {"floor": "floor", "bare": "bare `CustomResource`", "ours": "ours", "awscr": "`AwsCustomResource`"}
    rows = []
    for users in sorted({c.users for c in synth.cells}):
        floor = cell[("floor", users)]
        for variant in [name for name in names if (name, users) in cell]:
            one = cell[(variant, users)]
            rows.append(
                f"| {users} | {names[variant]} | {one.resources} | {seconds(one.wall_s.median)} "
                f"({s_range(one.wall_s)}) | {vs(one.wall_s, floor.wall_s)} | "
                f"{seconds(one.cpu_s.median)} | {vs(one.cpu_s, floor.cpu_s)} | "
                f"{seconds(one.import_s)} / {seconds(one.build_s)} / {seconds(one.synth_phase_s)} | "
                f"{seconds(one.over_empty_app_s)} | {one.jsii_calls_build} |"
            )
    empty = synth.empty_app
    return f"""## 4. Synth time

Command: `{RUN} synth`. Each synthesis is a fresh `python bench/synth_child.py VARIANT USERS OUTDIR` (jsii's
Node process started anew, as in `cdk synth`): a user pool with optional SMS MFA and USERS users as
`CfnUserPoolUser`, plus per user: nothing (floor); a `UserSmsMfaSettings` depending on the user (ours); an
`AwsCustomResource` calling `AdminSetUserSettings` on create and update and clearing on delete, with
`AwsCustomResourcePolicy.from_sdk_calls(resources=[pool.user_pool_arn])` and `install_latest_aws_sdk=False`,
depending on the user (anchor). At 200 users also a bare `CustomResource` per user (same properties, a fixed
service token, no handler, policy or checks), depending on the user: the least any design with one custom
resource per user synthesizes. The stack resource limit check is off here (context
`@aws-cdk/core:stackResourceLimit: 0`) for every variant, because the CDK refuses `AwsCustomResource` at 200
users ({cell[("awscr", 200)].resources} resources; see figure 5). {synth.repeats} runs of each, interleaved; wall
time and the CPU time of the
process tree (Python and Node) are medians. The phases are measured in the child: imports (jsii start-up),
building the constructs, `app.synth()`. "Over the empty app" subtracts the wall time of the same app without
users ({seconds(empty.wall_s.median)}, median of {empty.wall_s.n}): process start, jsii start-up and the pool.
"jsii calls" counts the requests Python sent to jsii's Node process while building the constructs. "vs floor" is the
median of the per-round ratios (the variants of a round run back to back).

{SYNTH_HEADER}
{chr(10).join(rows)}

At 200 users ours is {synth.ours_vs_floor_wall[200]:.2f}x the floor in wall time ({synth.ours_vs_floor_cpu[200]:.2f}x
in CPU time); goal ≤ {SYNTH_GOAL}x. `AwsCustomResource` is {synth.awscr_vs_floor_wall[200]:.2f}x
({synth.awscr_vs_floor_cpu[200]:.2f}x CPU).
"""


def capacity_section(capacity: dict[str, Capacity]) -> str:
    names = {"ours": "`UserSmsMfaSettings` + `CfnUserPoolUser`", "testuser": "`SmsMfaTestUser`"}
    names["awscr"] = "`AwsCustomResource` + `CfnUserPoolUser`"
    rows = []
    for c in capacity.values():
        per_user = ", ".join(f"{n} {t}" for t, n in c.per_user_by_type.items())
        fixed = ", ".join(f"{n} {t}" for t, n in c.fixed_by_type.items())
        rows.append(
            f"| {names[c.variant]} | {c.per_user} ({per_user}) | {c.fixed} ({fixed}) | **{c.max_users}** | "
            f"{c.resources_at_max} | refused: {c.refused_at_max_plus_one} |"
        )
    return f"""## 5. Stack capacity

Command: `{RUN} capacity`. Real syntheses with 1 and 2 users give the resources one user adds and the fixed
ones; N = floor((500 - fixed) / per user). Each N is then checked by synthesizing exactly N users (must succeed
with at most 500 resources) and N + 1 users (the CDK's own check must refuse it with `TooManyResourcesInStack`).
The app reports its version (`AWS::CDK::Metadata`), as apps run by the CDK CLI do by default.

| per user | resources per user | fixed resources | max users | resources at N | at N + 1 |
| --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}

Ours fits {capacity["ours"].max_users} users in a stack, `AwsCustomResource`
{capacity["awscr"].max_users} ({capacity["ours"].max_users / capacity["awscr"].max_users:.2f}x): each
`AwsCustomResource` brings its own IAM policy, while this library's handler has one policy per stack that lists
each pool once.
"""


def cells(synth: Synth) -> dict[tuple[str, int], SynthCell]:
    return {(cell.variant, cell.users): cell for cell in synth.cells}


def ms(value: float) -> str:
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def duration(value_ms: float) -> str:
    return ms(value_ms) if value_ms < 1000 else seconds(value_ms / 1000)


def seconds(value: float) -> str:
    return f"{value:.2f} s" if abs(value) < 10 else f"{value:.1f} s"


def ms_range(stats: Stats) -> str:
    return f"{stats.low:.0f}-{stats.high:.0f} ms" if stats.low >= 10 else f"{stats.low:.1f}-{stats.high:.1f} ms"


def s_range(stats: Stats) -> str:
    return f"{stats.low:.1f}-{stats.high:.1f} s"


def size(value: int) -> str:
    return f"{value:,} B ({value / 1024:.1f} KiB)"


def vs(ours: Stats, anchor: Stats) -> str:
    return f"{paired_ratio(ours.samples, anchor.samples):.2f}x"


def ratio_text(ours: float, anchor: float) -> str:
    return f"{ours / anchor:.2f}x" if anchor else "-"


def at_most(calls: int) -> str:
    return "0" if calls == 0 else f"≤ {calls}"


def met(ok: bool) -> str:
    return "yes" if ok else "**no**"
