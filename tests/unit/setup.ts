import { configure } from '@testing-library/dom';

// `findBy…` and `waitFor` give up after one second by default. On a shared, loaded CI machine a
// render that takes longer is slow, not wrong: wait longer, and still never assert on time.
configure({ asyncUtilTimeout: 10_000 });
