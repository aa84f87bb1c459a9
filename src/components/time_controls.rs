//! Time controls: play/pause, speed, step to the next event, and the virtual clock.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::state::SPEEDS_PCT;

/// Props of [`TimeControls`].
#[derive(Properties, PartialEq)]
pub struct TimeControlsProps {
    /// Whether virtual time follows the wall clock.
    pub playing: bool,
    /// Speed in percent of real time.
    pub speed_pct: u32,
    /// Virtual time now.
    pub now_ms: u64,
    /// Play (`true`) or pause (`false`) was asked for.
    pub on_play: Callback<bool>,
    /// A speed (percent of real time) was picked.
    pub on_speed: Callback<u32>,
    /// Step to the next event.
    pub on_step: Callback<()>,
}

/// `▶`/`❚❚`, step, a speed picker, and `t=HH:MM:SS`.
#[component]
pub fn TimeControls(props: &TimeControlsProps) -> Html {
    let onclick = {
        let (playing, on_play) = (props.playing, props.on_play.clone());
        Callback::from(move |_: MouseEvent| on_play.emit(!playing))
    };
    let onchange = {
        let on_speed = props.on_speed.clone();
        Callback::from(move |e: Event| {
            if let Ok(pct) = e.target_unchecked_into::<HtmlSelectElement>().value().parse() {
                on_speed.emit(pct);
            }
        })
    };
    let (label, icon) = if props.playing { ("Pause", "❚❚") } else { ("Play", "▶") };
    html! {
        <div class="time-controls">
            <button type="button" class="play-pause" data-testid="play-pause" aria-label={label}
                title={format!("{label} virtual time")} aria-pressed={props.playing.to_string()} {onclick}>
                <span aria-hidden="true">{ icon }</span>
            </button>
            <button type="button" class="step" data-testid="step-button" aria-label="Step to the next event"
                title="Jump to the next thing that happens in the cluster"
                onclick={props.on_step.reform(|_: MouseEvent| ())}>
                <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                    <path fill="currentColor" d="M2 3v10l8-5zM11 3h2.5v10H11z" />
                </svg>
            </button>
            <select data-testid="speed" aria-label="speed" title="speed" {onchange}>
                { for SPEEDS_PCT.iter().map(|&pct| html! {
                    <option value={pct.to_string()} selected={pct == props.speed_pct}>{ speed_label(pct) }</option>
                }) }
            </select>
            <span class="clock" data-testid="virtual-clock" title="virtual time since the cluster started">
                { clock_label(props.now_ms) }
            </span>
        </div>
    }
}

/// `25` -> `0.25x`, `100` -> `1x`, `5000` -> `50x`.
fn speed_label(pct: u32) -> String {
    if pct.is_multiple_of(100) {
        format!("{}x", pct / 100)
    } else {
        format!("{}x", f64::from(pct) / 100.0)
    }
}

/// Virtual time as `t=HH:MM:SS.d` (hours grow past 99 if anyone waits that long).
fn clock_label(now_ms: u64) -> String {
    let s = now_ms / 1_000;
    format!("t={:02}:{:02}:{:02}.{}", s / 3_600, s / 60 % 60, s % 60, now_ms % 1_000 / 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(speed_label(25), "0.25x");
        assert_eq!(speed_label(50), "0.5x");
        assert_eq!(speed_label(100), "1x");
        assert_eq!(speed_label(5_000), "50x");
        assert_eq!(clock_label(0), "t=00:00:00.0");
        assert_eq!(clock_label(3_723_999), "t=01:02:03.9");
    }
}
