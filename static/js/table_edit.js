/* The accountability table editor (templates/register/version_table_edit.html).
 *
 * Adds "select all on this page", shift-click (or Shift+Space) range selection of rows, and
 * announces how many rows are selected in an aria-live region. The page works fully without
 * this script: the row checkboxes and the bulk form are plain HTML.
 */
(function () {
  "use strict";

  const table = document.querySelector("table[data-bulk-table]");
  if (!table) {
    return;
  }
  const boxes = Array.from(
    table.querySelectorAll('tbody input[type="checkbox"][name="variables"]')
  );
  if (boxes.length === 0) {
    return;
  }
  const toolbar = document.querySelector("[data-select-toolbar]");
  const selectAll = document.querySelector("[data-select-all]");
  const status = document.getElementById("selection-status");
  let lastIndex = null;

  function update(announce) {
    let count = 0;
    for (const box of boxes) {
      const row = box.closest("tr");
      if (row) {
        row.classList.toggle("selected", box.checked);
      }
      if (box.checked) {
        count += 1;
      }
    }
    if (selectAll) {
      selectAll.checked = count === boxes.length;
      selectAll.indeterminate = count > 0 && count < boxes.length;
    }
    if (status && announce) {
      const message = status.getAttribute("data-message") || "{count} / {total}";
      status.textContent = message
        .replace("{count}", String(count))
        .replace("{total}", String(boxes.length));
    }
  }

  boxes.forEach(function (box, index) {
    box.addEventListener("click", function (event) {
      if (event.shiftKey && lastIndex !== null && lastIndex !== index) {
        const from = Math.min(lastIndex, index);
        const to = Math.max(lastIndex, index);
        for (let i = from; i <= to; i += 1) {
          boxes[i].checked = box.checked;
        }
      }
      lastIndex = index;
      update(true);
    });
  });

  if (selectAll) {
    selectAll.addEventListener("change", function () {
      for (const box of boxes) {
        box.checked = selectAll.checked;
      }
      lastIndex = null;
      update(true);
    });
  }
  if (toolbar) {
    toolbar.hidden = false;
  }
  update(false);
})();
