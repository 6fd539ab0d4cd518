module.exports = require('./tmpdir-global').teardown;
