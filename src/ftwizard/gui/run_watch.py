"""The run monitor following a run: each poll reads what the runner appended to the run
folder (metrics.jsonl, runner.log) and shows it; when the runner has gone, how the run ended;
the window's state (setup, starting, running, stopping, finished, cancelled, failed) and the
buttons it allows. A mixin of `run_monitor.RunMonitor`, whose window holds the widgets."""

from __future__ import annotations

from pathlib import Path

from ftwizard.gui.run_results import result_html
from ftwizard.runs import history as runs
from ftwizard.runs.figures import status_line, user_log
from ftwizard.runs.progress import RunProgress

ALIVE_EVERY = 4  # polls between liveness checks of a runner this window did not launch
LOG_TAIL_BYTES = 16_384
LOG_TAIL_LINES = 200
ENDED = ("finished", "cancelled", "failed")


def _read_tail(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - LOG_TAIL_BYTES))
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    lines = text.splitlines()[1 if size > LOG_TAIL_BYTES else 0:]  # the first may be cut
    return user_log("\n".join(lines[-LOG_TAIL_LINES:]))  # library chatter stays in runner.log


class RunWatch:
    """Mixin of the run monitor (run_monitor.RunMonitor): polling, the ending, the state and its buttons."""

    # -- polling ----------------------------------------------------------------------------------
    def _pid(self) -> int | None:
        if self.launched is not None and self.launched.exit_code() is None:
            return self.launched.pid
        return runs.runner_pid(self.run_dir, self.progress) if self.run_dir is not None else None

    def poll(self) -> None:
        if self.tail is None:
            return
        self._polls += 1
        new = self.tail.read()
        if any(e.event == "start" for e in new):
            self._awaiting_start = False
        if new:
            self.progress.apply_all(new)
            self._show_progress()
        if self._polls % ALIVE_EVERY == 0 or new:
            self._show_log()
        if self.progress.ended and self.state in ("starting", "running", "stopping"):
            self._finished()
        elif not self.progress.ended and self.state in ("starting", "running", "stopping") and self._gone():
            self.progress.apply_all(self.tail.read())  # the last lines it wrote before exiting
            self._finished()
        if new:
            self.progressed.emit()

    def _gone(self) -> bool:
        """The runner has exited (checked each poll for our own child, less often otherwise)."""
        if self.launched is not None:
            return self.launched.exit_code() is not None
        if self._polls % ALIVE_EVERY:
            return False
        return runs.runner_pid(self.run_dir, self.progress) is None

    def _show_progress(self) -> None:
        p = self.progress
        if not self._awaiting_start and p.start is not None and self.state == "starting":
            self._set_state("running")
        self.bar.setValue(round(p.fraction * 1000))
        self.bar.setFormat(f"step {p.step} of {p.max_steps}" if p.max_steps else "")
        if self.state == "running":
            self.status.setText(status_line(p))
        elif self.state == "starting":
            self.status.setText("Starting the runner: loading the model and the data…")
        notes = list(dict.fromkeys([w.message for w in p.warnings] + (p.start.notes if p.start else [])))
        self.notes.setText("\n".join(f"⚠ {n}" for n in notes))
        self.notes.setVisible(bool(notes))
        self._draw_chart()

    def _draw_chart(self) -> None:
        from ftwizard.report import run_charts

        if self._chart is None:
            from ftwizard.gui.charts import theme

            self._chart = run_charts.metrics_chart()
            self._chart.setAccessibleName("Loss chart")
            theme(self._chart, self.palette())
            self.chart_holder.layout().addWidget(self._chart)
        run_charts.set_series(self._chart, self.progress.series)

    def _show_log(self) -> None:
        path = self.run_dir / runs.RUNNER_LOG
        try:
            size = path.stat().st_size
        except OSError:
            return
        if size != self._log_size:
            self._log_size = size
            self.log_view.setPlainText(_read_tail(path))
            self.log_view.verticalScrollBar().setValue(self.log_view.verticalScrollBar().maximum())

    def _finished(self) -> None:
        """The runner ended: say how, show the result, and what can happen next."""
        from ftwizard.runs.launch import reap

        self.timer.stop()
        reap()
        while batch := self.tail.read():  # whatever is still unread (a long run being reattached)
            self.progress.apply_all(batch)
        self._show_progress()
        self._show_log()
        summary = runs.summarize(self.run_dir, self.progress)
        if summary.status == "running":  # its lock is still held: the process is finishing up
            self.timer.start()
            return
        state, detail, hint = summary.status, summary.detail, ""
        if self.progress.error is not None:
            hint = self.progress.error.suggestion
        if self.launched is not None:  # this window's launch: its own stdout has the last word
            code = self.launched.exit_code()
            own = runs.early_error(self.run_dir)
            if own is not None and (self.progress.last_ts is None or own.ts > self.progress.last_ts):
                state = "cancelled" if own.kind == "cancelled" else "failed"
                detail, hint = own.message, own.suggestion
            elif self._awaiting_start and not self.progress.ended and self.state == "stopping":
                state, detail = "cancelled", "stopped while it was starting; nothing was trained or saved"
            elif self._awaiting_start and not self.progress.ended:
                state = "failed"
                detail = f"the runner exited (code {code}) before it started; see {runs.RUNNER_STDERR}"
        self._awaiting_start = False
        self._set_state(state if state in ("finished", "cancelled", "failed") else "failed")
        if self.state == "finished":
            self.status.setText(f"Finished {summary.step} steps. The adapter is in {summary.adapter_dir}.")
        elif self.state == "cancelled":
            saved = runs.latest_checkpoint_step(self.run_dir)
            of = f" of {summary.max_steps}" if summary.max_steps else ""
            self.status.setText(f"Cancelled at step {summary.step}{of}: " + (
                f"checkpoint-{saved} is saved and Resume continues from it." if saved is not None
                else f"{detail}; no checkpoint was saved, so a new run starts from step 0."))
        else:
            self.status.setText(f"Stopped: {detail}. {hint}".strip())
        self.result.setText(result_html(summary))
        self.result_box.setVisible(self.state == "finished")
        if self.history is not None:
            self.history.refresh()

    def _set_state(self, state: str) -> None:
        self.state = state
        self.setup.set_locked(state != "setup")
        self._update_buttons()
        self.state_changed.emit(state)

    def _update_buttons(self) -> None:
        self.start_button.setText("&New run" if self.state in ENDED else "&Start training")
        runtime_ok = self.runtime is not None and self.runtime.ready
        self.start_button.setEnabled(self.state in ENDED or (self.state == "setup" and self.setup.is_ready()
                                                              and runtime_ok))
        if self.runtime is not None and not self.runtime.ready:
            self.start_button.setToolTip(self.runtime.problem)
        else:
            self.start_button.setToolTip("")
        self.cancel_button.setEnabled(self.state in ("starting", "running"))
        can_resume = self.state in ("cancelled", "failed") and self.run_dir is not None and \
            runs.latest_checkpoint_step(self.run_dir) is not None
        self.resume_button.setEnabled(can_resume)
        self.open_button.setEnabled(self.run_dir is not None)

    def new_run(self) -> None:
        """Back to the set-up for another run (the finished one stays in History)."""
        self.timer.stop()
        self.run_dir, self.launched, self.tail = None, None, None
        self.progress = RunProgress()
        self.result_box.hide()
        self.bar.setValue(0)
        self.bar.setFormat("")
        if self._chart is not None:
            from ftwizard.report.run_charts import set_series

            set_series(self._chart, {})
        self.log_view.clear()
        self.status.setText("Pick the model folder and the data, then start." if self.runtime is None or
                            self.runtime.ready else f"Training is off: {self.runtime.problem}")
        self._set_state("setup")
        self.setup.check()
