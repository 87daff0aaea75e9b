// The one place the vendored Preact + htm bundle is imported from (see vendor/README.md).
export {
  h, html, render, Component, createContext, useState, useReducer, useEffect, useLayoutEffect,
  useRef, useMemo, useCallback, useContext,
} from '../../vendor/htm-preact.js';
