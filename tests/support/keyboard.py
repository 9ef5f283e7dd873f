"""A page walked with the keyboard alone, in Chromium: which of its controls the Tab key
reaches, and whether each one shows where the focus is.

A control is anything a person can act on: links, buttons, form fields, summaries of
disclosures, and any element made clickable (an onclick, a button or link role). A control
the Tab key never reaches cannot be used without a mouse. A focused control must draw an
outline at least 2px wide whose colour stands out 3:1 against what lies behind it (WCAG
2.2's non-text contrast), so a person can see where they are.
"""

from dataclasses import dataclass

MARK_CONTROLS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary,'
    + ' [tabindex], [onclick], [role=button], [role=link], [contenteditable=true]';
  const controls = [...document.querySelectorAll(selector)].filter(element =>
    element.checkVisibility({visibilityProperty: true, opacityProperty: true})
    && !element.disabled && element.getAttribute('tabindex') !== '-1'
    && !element.closest('[inert], [aria-hidden=true]'));
  controls.forEach((element, index) => element.dataset.keyboardId = String(index));
  return controls.map((element, index) => ({
    id: String(index), name: describe(element),
    group: element.type === 'radio'
      ? `radio:${element.form ? element.form.id : ''}:${element.name}` : null,
  }));
  function describe(element) {
    const text = (element.getAttribute('aria-label') || element.textContent || element.name
      || element.id || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    return `<${element.tagName.toLowerCase()}> ${text}`;
  }
}"""

FOCUSED_CONTROL = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const width = parseFloat(style.outlineWidth) || 0;
  return {
    id: element.dataset.keyboardId || null,
    name: `<${element.tagName.toLowerCase()}> ${(element.getAttribute('aria-label')
      || element.textContent || element.name || '').trim().replace(/\\s+/g, ' ').slice(0, 60)}`,
    outline: style.outlineStyle === 'none' ? 0 : width,
    // A date field's calendar button is the browser's own, inside the field, which then
    // no longer matches :focus; the browser draws that button's focus itself.
    own: element.matches(':focus'),
    contrast: contrast(parse(style.outlineColor), backdrop(element)),
  };
  function parse(colour) {
    const parts = colour.match(/[\\d.]+/g).map(Number);
    return {rgb: parts.slice(0, 3), alpha: parts.length > 3 ? parts[3] : 1};
  }
  function backdrop(element) {
    // The outline is drawn outside the element: what lies behind it is its parent's fill.
    for (let node = element.parentElement; node; node = node.parentElement) {
      const fill = parse(getComputedStyle(node).backgroundColor);
      if (fill.alpha > 0.5) return fill;
    }
    return {rgb: [255, 255, 255], alpha: 1};
  }
  function luminance(rgb) {
    const [r, g, b] = rgb.map(value => {
      const c = value / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function contrast(outline, behind) {
    const [high, low] = [luminance(outline.rgb), luminance(behind.rgb)].sort((a, b) => b - a);
    return (high + 0.05) / (low + 0.05);
  }
}"""

MIN_OUTLINE_PX = 2
MIN_CONTRAST = 3.0


@dataclass
class KeyboardWalk:
    unreached: list[str]  # controls Tab never reached
    unmarked: list[str]  # controls reached without a visible focus outline


def walk_with_tab(page) -> KeyboardWalk:
    """Press Tab from the top of the loaded page until the focus comes round again, and
    say which controls it missed and where the focus did not show."""
    controls = {control["id"]: control for control in page.evaluate(MARK_CONTROLS)}
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    reached: set[str] = set()
    unmarked: list[str] = []
    first = None
    # Controls that show only on hover (a chart's buttons) take presses too: room for them.
    for _ in range(3 * len(controls) + 50):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_CONTROL)
        if focused is None:
            if reached:
                break  # past the last control, back on the page itself
            continue
        key = focused["id"] or focused["name"]
        if key == first:
            break
        first = first or key
        if focused["id"]:
            reached.add(focused["id"])
        visible = focused["outline"] >= MIN_OUTLINE_PX and focused["contrast"] >= MIN_CONTRAST
        if focused["own"] and not visible:
            unmarked.append(
                f"{focused['name']} (outline {focused['outline']}px,"
                f" contrast {focused['contrast']:.1f}:1)"
            )
    # Tab enters a group of radio buttons once; the arrow keys move within it.
    reached_groups = {controls[i]["group"] for i in reached if controls[i]["group"]}
    unreached = [
        control["name"]
        for i, control in controls.items()
        if i not in reached and not (control["group"] and control["group"] in reached_groups)
    ]
    return KeyboardWalk(unreached=unreached, unmarked=unmarked)
