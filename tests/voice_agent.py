"""A real SIP user agent for the voice tests (pjsua2 in its own process: PJSIP allows one endpoint per process).

    python tests/voice_agent.py caller --port P --to sip:0380151515@127.0.0.1:5070 --tone 1000 --record out.wav
        [--from-user 0612345678] [--pai '<sip:+33612345678@trunk>']
    python tests/voice_agent.py phone --port P --tone 1600 --record out.wav [--answer-after 0.5]
        [--register sip:127.0.0.1:5071 --from-user 250-P1 --password secret]

It plays a sine of `--tone` Hz into the call, records what it receives (PJSIP's WAV recorder), prints one JSON line
per call state (`{"state": "CONFIRMED", "status": 200}`) and registration (`{"registered": 200}`) on stdout, and obeys `hangup` and `quit` read on stdin.
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pjsua2 as pj

from sisamu.voice.media import write_wav

STATES = {
    pj.PJSIP_INV_STATE_CALLING: "CALLING",
    pj.PJSIP_INV_STATE_INCOMING: "INCOMING",
    pj.PJSIP_INV_STATE_EARLY: "EARLY",
    pj.PJSIP_INV_STATE_CONNECTING: "CONNECTING",
    pj.PJSIP_INV_STATE_CONFIRMED: "CONFIRMED",
    pj.PJSIP_INV_STATE_DISCONNECTED: "DISCONNECTED",
}


def say(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


class Agent:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.call: AgentCall | None = None
        self.recorder: Any = None
        self.player: Any = None
        self.answer_at: float | None = None
        self.done = False


class AgentCall(pj.Call):  # type: ignore[misc]
    def __init__(self, agent: Agent, account: Any, call_id: int = -1) -> None:
        super().__init__(account, call_id)
        self.agent = agent

    def onCallState(self, prm: Any) -> None:  # noqa: N802
        info = self.getInfo()
        say(state=STATES.get(info.state, str(info.state)), status=info.lastStatusCode)
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.agent.done = True

    def onCallMediaState(self, prm: Any) -> None:  # noqa: N802
        info = self.getInfo()  # kept alive while its media are read (SWIG hands out references into it)
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                audio = self.getAudioMedia(media.index)
                if self.agent.recorder is None:
                    self.agent.recorder = pj.AudioMediaRecorder()
                    self.agent.recorder.createRecorder(self.agent.args.record)
                    audio.startTransmit(self.agent.recorder)
                    self.agent.player.startTransmit(audio)
                    say(media="active")


class AgentAccount(pj.Account):  # type: ignore[misc]
    def __init__(self, agent: Agent) -> None:
        super().__init__()
        self.agent = agent

    def onRegState(self, prm: Any) -> None:  # noqa: N802
        say(registered=prm.code)

    def onIncomingCall(self, prm: Any) -> None:  # noqa: N802
        call = AgentCall(self.agent, self, prm.callId)
        self.agent.call = call
        ringing = pj.CallOpParam()
        ringing.statusCode = 180
        call.answer(ringing)
        self.agent.answer_at = time.monotonic() + self.agent.args.answer_after
        say(incoming=True)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["caller", "phone"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--to")
    parser.add_argument("--from-user", default="anonymous")
    parser.add_argument("--pai")
    parser.add_argument("--tone", type=float, required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--rtp-port", type=int, default=0)
    parser.add_argument("--bind", default="127.0.0.1", help="the address it sends from")
    parser.add_argument("--register", help="registrar URI (sip:host:port); --from-user is the account")
    parser.add_argument("--password")
    parser.add_argument("--answer-after", type=float, default=0.5)
    return parser.parse_args()


def _endpoint(port: int, bind: str) -> Any:
    ep = pj.Endpoint()
    ep.libCreate()
    config = pj.EpConfig()
    config.uaConfig.threadCnt = 0
    config.uaConfig.mainThreadOnly = False
    config.logConfig.level = 1
    config.logConfig.consoleLevel = 1
    config.medConfig.noVad = True
    ep.libInit(config)
    transport = pj.TransportConfig()
    transport.port = port
    transport.boundAddress = bind
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
    ep.libStart()
    ep.audDevManager().setNullDev()
    return ep


def _account(agent: Agent) -> AgentAccount:
    args = agent.args
    account = AgentAccount(agent)
    account_config = pj.AccountConfig()
    account_config.idUri = f"sip:{args.from_user}@{args.bind}:{args.port}"
    account_config.mediaConfig.transportConfig.port = args.rtp_port
    account_config.mediaConfig.transportConfig.portRange = 200
    account_config.mediaConfig.transportConfig.boundAddress = args.bind
    if args.register:
        host = args.register.removeprefix("sip:")
        account_config.idUri = f"sip:{args.from_user}@{host}"
        account_config.regConfig.registrarUri = args.register
        account_config.regConfig.timeoutSec = 300
        account_config.sipConfig.authCreds.append(
            pj.AuthCredInfo("digest", "*", args.from_user, 0, args.password or "")
        )
    account.create(account_config, True)
    return account


def _dial(agent: Agent, account: AgentAccount) -> None:
    agent.call = AgentCall(agent, account)  # the agent holds the only reference: gone before libDestroy
    param = pj.CallOpParam(True)
    if agent.args.pai:
        header = pj.SipHeader()
        header.hName = "P-Asserted-Identity"
        header.hValue = agent.args.pai
        param.txOption.headers.append(header)
    agent.call.makeCall(agent.args.to, param)


def _loop(ep: Any, agent: Agent, commands: queue.Queue[str]) -> None:
    while True:
        ep.libHandleEvents(10)
        if agent.answer_at is not None and time.monotonic() >= agent.answer_at and agent.call is not None:
            agent.answer_at = None
            ok = pj.CallOpParam()
            ok.statusCode = 200
            agent.call.answer(ok)
        try:
            command = commands.get_nowait()
        except queue.Empty:
            continue
        if command == "hangup" and agent.call is not None and not agent.done:
            agent.call.hangup(pj.CallOpParam())
        elif command == "quit":
            return


def main() -> None:
    args = _arguments()
    commands: queue.Queue[str] = queue.Queue()

    def read_stdin() -> None:
        for line in sys.stdin:
            commands.put(line.strip())
        commands.put("quit")

    threading.Thread(target=read_stdin, daemon=True).start()
    ep = _endpoint(args.port, args.bind)
    agent = Agent(args)
    tone = Path(args.record).with_suffix(".tone.wav")
    write_wav(tone, [(args.tone, 2000)], amplitude=0.4)
    agent.player = pj.AudioMediaPlayer()
    agent.player.createPlayer(str(tone), 0)
    account = _account(agent)
    say(ready=True)
    if args.mode == "caller":
        _dial(agent, account)
    _loop(ep, agent, commands)
    if agent.call is not None and not agent.done:
        agent.call.hangup(pj.CallOpParam())
        for _ in range(50):
            ep.libHandleEvents(10)
    agent.recorder = None  # closes the WAV file (its header gets its length)
    agent.player = None
    agent.call = None
    account.shutdown()
    ep.libDestroy()
    say(exited=True)


if __name__ == "__main__":
    main()
