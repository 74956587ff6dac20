// Drag and drop onto the upload zone; everything else works without JavaScript.
(function () {
  var drop = document.getElementById("drop");
  var input = document.getElementById("file");
  if (!drop || !input) return;
  var label = document.getElementById("drop-text");
  function show() { if (input.files.length) label.textContent = input.files[0].name; }
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach(function (e) {
    drop.addEventListener(e, function (ev) { ev.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (e) {
    drop.addEventListener(e, function (ev) { ev.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (ev) {
    if (ev.dataTransfer && ev.dataTransfer.files.length) { input.files = ev.dataTransfer.files; show(); }
  });
})();
