// GraphiQL for SharingHub (development). Every request needs a bearer token: paste one into the Headers tab
// (./hub token prints one). No data is stored by this page beyond GraphiQL's own local storage.
(function () {
  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: 'headers',
    defaultHeaders: JSON.stringify({ Authorization: 'Bearer PASTE_THE_OUTPUT_OF_./hub_token' }, null, 2),
    defaultQuery: '# SharingHub GraphQL. Put a token from `./hub token` into the Headers tab below, then run.\n' +
      '{\n  me { agency { code name kind } roles }\n  matches(first: 10) {\n    totalCount\n    nodes {\n' +
      '      id kind band score\n      own { kind localId }\n      counterpart { release agency { name } contact { name channel } }\n' +
      '      explanation { field level weight text }\n    }\n  }\n}\n'
  }));
})();
