(function () {
  'use strict';
  var collator = new Intl.Collator('en-GB', { numeric: true, sensitivity: 'base' });
  function keyOf(cell) {
    return cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort') : cell.textContent.trim();
  }
  function firstDir(th) { return th.getAttribute('data-first') || 'asc'; }
  // Makes one table sortable by its column headings; returns its sortBy.
  function sortable(table) {
    var body = table.tBodies[0];
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var note = table.querySelector('.sort-note');
    function sortBy(key, dir) {
      var index = -1;
      heads.forEach(function (th, i) { if (th.getAttribute('data-key') === key) index = i; });
      if (index < 0) return false;
      var th = heads[index];
      var numeric = th.getAttribute('data-type') === 'number';
      if (dir !== 'asc' && dir !== 'desc') dir = firstDir(th);
      var sign = dir === 'asc' ? 1 : -1;
      var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
        return { row: row, key: keyOf(row.cells[index]), at: i };
      });
      rows.sort(function (a, b) {
        var c = numeric ? Number(a.key) - Number(b.key) : collator.compare(a.key, b.key);
        return c !== 0 ? sign * c : a.at - b.at;
      });
      rows.forEach(function (r) { body.appendChild(r.row); });
      heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir === 'asc' ? 'ascending' : 'descending');
      table.setAttribute('data-sorted-by', key + ':' + dir);
      if (note) note.textContent = 'sorted by ' + th.textContent.trim() + (dir === 'asc' ? ', ascending' : ', descending');
      return true;
    }
    heads.forEach(function (th) {
      var key = th.getAttribute('data-key');
      if (!key) return;
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener('click', function () {
        var first = firstDir(th);
        var dir = table.getAttribute('data-sorted-by') === key + ':' + first
            ? (first === 'asc' ? 'desc' : 'asc') : first;
        if (sortBy(key, dir) && table.id === 'findings-table' && window.history.replaceState) {
          window.history.replaceState(null, '', '#sort=' + key + ':' + dir);
        }
      });
    });
    table.setAttribute('data-sortable', 'ready');
    return sortBy;
  }
  var findingsSort = null;
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var sortBy = sortable(table);
    if (table.id === 'findings-table') findingsSort = sortBy;
  });
  function applyFragment() {
    var m = /^#sort=([a-z]+)(?::(asc|desc))?$/.exec(window.location.hash);
    if (m && findingsSort) findingsSort(m[1], m[2]);
  }
  window.addEventListener('hashchange', applyFragment);
  applyFragment();
})();
