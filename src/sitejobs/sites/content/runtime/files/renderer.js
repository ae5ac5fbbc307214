/*
 * sitejobs site runtime: renders a published page's custom components in the browser, the way Oracle Content
 * Management's renderer does for a site. RequireJS loads it as the page's main module (the layout's
 * `<script data-main=".../renderer.js" src=".../require.js">`); it reads the page's controller data from
 * `window.SCS` (written by publish), offers components the APIs they call (SCSRenderAPI, SitesSDK,
 * SCSComponentAPI, the `scs-components/comp/*` modules, the `css!` plugin) and renders every
 * `.scs-custom-component[data-scs-app]` wrapper with the component's own `assets/render.js`.
 * Each wrapper ends with `data-scs-state` "rendered" or "failed" (and the reason in `data-scs-error`).
 */
/* global requirejs, require, define */
(function () {
	'use strict';

	var SCS = window.SCS = window.SCS || {};
	var structureMap = SCS.structureMap = SCS.structureMap || {};
	var prefix = SCS.sitePrefix || '';
	var absolute = function (path) {
		return new URL(path, document.baseURI).href;
	};
	var rendererUrl = absolute(prefix + '_sitesclouddelivery/renderer/');
	SCS.sitePrefix = prefix;
	SCS.renderMode = SCS.renderMode || 'navigate';
	SCS.siteRootUrl = absolute(prefix || './');

	requirejs.config({
		baseUrl: rendererUrl,
		paths: {
			knockout: 'libs/knockout',
			mustache: 'libs/mustache',
			'marked-library': 'libs/marked',
			text: 'libs/text',
			_compdelivery: absolute(prefix + '_compdelivery')
		},
		waitSeconds: 60
	});
	if (typeof window.jQuery === 'function') {
		// the theme's jQuery, which has the theme's plugins (Bootstrap): components expect that one
		define('jquery', [], function () {
			return window.jQuery;
		});
	} else {
		requirejs.config({ paths: { jquery: 'libs/jquery' } });
	}

	// Marked as a function, as the content layouts written for older versions call it, with its API too.
	define('marked', ['marked-library'], function (library) {
		var parse = library.parse || (library.marked && library.marked.parse) || library;
		var marked = function () { return parse.apply(library, arguments); };
		return Object.assign(marked, library);
	});

	define('css', [], function () {
		return {
			load: function (name, req, onload) {
				var link = document.createElement('link');
				link.rel = 'stylesheet';
				link.href = req.toUrl(name);
				link.onload = function () { onload(link); };
				link.onerror = function () { onload.error(new Error('stylesheet ' + link.href + ' did not load')); };
				document.head.appendChild(link);
			}
		};
	});

	// ---- pages and links -------------------------------------------------------------------------------------

	var pageHref = function (pageId) {
		var node = structureMap[pageId];
		if (!node) {
			return '';
		}
		if (node.linkUrl) {
			return node.linkUrl;
		}
		return (SCS.pagePrefix || '') + encodeURI(node.pageUrl || '');
	};

	var pageLinkData = function (pageId) {
		var node = structureMap[pageId];
		return node ? { href: pageHref(pageId), target: node.linkTarget || '', hideInNavigation: !!node.hideInNavigation } : null;
	};

	var renditionUrl = function (id) {
		var path = (SCS.renditions || {})[id];
		return path ? absolute(prefix + path) : '';
	};

	// A content item as a content layout reads it: dates ({value, timezone}) print as their value.
	var itemData = function (item) {
		var copy = JSON.parse(JSON.stringify(item || {}));
		Object.keys(copy.fields || {}).forEach(function (name) {
			var value = copy.fields[name];
			if (value && typeof value === 'object' && typeof value.value === 'string' && 'timezone' in value) {
				value.toString = function () { return this.value; };
			}
		});
		return copy;
	};

	// The link to a content list item's detail page: the page, told which item with `contentId`.
	var detailLink = function (pageId, item) {
		var href = pageId ? pageHref(pageId) : '';
		return href ? href + (href.indexOf('?') < 0 ? '?' : '&') + 'contentId=' + encodeURIComponent(item.id) : '';
	};

	var unavailable = function (what) {
		return Promise.reject(new Error(what + ' needs the Content Management content API, which this server does not offer'));
	};

	// The content SDK client: items by id from those publish put in the page (`pageModel.contentItems`), queries from
	// the server's Content Delivery API.
	var knownItem = function (id) {
		return ((SCS.pageModel || {}).contentItems || {})[id];
	};
	var contentClient = {
		getInfo: function () { return { contentVersion: '1.1', contentType: 'published' }; },
		getItem: function (args) {
			var item = knownItem((args || {}).id);
			return item ? Promise.resolve(JSON.parse(JSON.stringify(item))) : unavailable('getItem');
		},
		getItems: function (args) {
			var ids = [].concat((args || {}).ids || []);
			var items = ids.map(knownItem).filter(Boolean).map(function (item) { return JSON.parse(JSON.stringify(item)); });
			return Promise.resolve({ items: items, count: items.length, hasMore: false, offset: 0, limit: items.length });
		},
		// Content Delivery's query, answered by the server for this site (`api/oce/delivery.py`): `q`,
		// `orderBy`, `offset`, `limit` and `totalResults` as Content Delivery takes them.
		queryItems: function (args) {
			args = args || {};
			var params = ['site=' + encodeURIComponent(SCS.siteName || '')];
			['q', 'orderBy', 'offset', 'limit', 'totalResults', 'fields'].forEach(function (name) {
				var value = args[name];
				if (value !== undefined && value !== null && value !== '') {
					params.push(name + '=' + encodeURIComponent(String(value)));
				}
			});
			return fetch('/content/published/api/v1.1/items?' + params.join('&'), { credentials: 'same-origin' })
				.then(function (response) {
					return response.json().then(function (body) {
						if (!response.ok) {
							throw new Error('queryItems: ' + (body.detail || body.title || response.status));
						}
						return body;
					});
				});
		},
		graphql: function () { return unavailable('graphql'); },
		searchItems: function () { return unavailable('searchItems'); },
		getRenditionURL: function (args) { return renditionUrl((args || {}).id); },
		expandMacros: function (value) { return value; }
	};

	var renderApi = window.SCSRenderAPI = {
		getPageLinkData: pageLinkData,
		getPageLinkUrl: pageHref,
		getRenderMode: function () { return SCS.renderMode; },
		getSiteProperty: function (name) { return (SCS.siteProperties || {})[name]; },
		getPageModel: function () { return SCS.pageModel; },
		getComponentInstance: function (id) { return ((SCS.pageModel || {}).componentInstances || {})[id]; },
		addComponentToPageModel: function () { return ''; },
		renderComponentInstance: function () { },
		getContentClient: function () { return contentClient; }
	};

	define('scs-components/comp/component-context', [], function () {
		return {
			getRenderApi: function () { return renderApi; },
			caasApi: {
				getContentClient: function () { return contentClient; },
				getContentCategoriesForType: function (type, callback, errorCallback) {
					if (typeof errorCallback === 'function') {
						errorCallback(null, 'error', 'content categories need the content API');
					}
				}
			}
		};
	});

	define('scs-components/comp/components-default', [], function () {
		var layouts = ['scs-sl-horizontal', 'scs-sl-vertical', 'scs-sl-two-columns', 'scs-sl-three-columns', 'scs-sl-tabs', 'scs-sl-slider'];
		return {
			components: [{
				name: 'COMP_CONFIG_SECTION_LAYOUTS_CATEGORY_NAME',
				list: layouts.map(function (id) { return { id: id, type: 'scs-sectionlayout' }; })
			}]
		};
	});

	// ---- what a component instance is handed -----------------------------------------------------------------

	var MESSAGE_TYPES = {
		SETTINGS_UPDATED: 'scsSettingsUpdated',
		EXECUTE_ACTION: 'scsExecuteAction',
		TRIGGER_ACTIONS: 'scsTriggerActions',
		COMPONENT_STATE_CHANGED: 'scsComponentStateChanged',
		SELECTION_CHANGED: 'scsSelectionChanged'
	};

	var sitesSdk = function (instance) {
		var data = instance.data || {};
		return {
			MESSAGE_TYPES: MESSAGE_TYPES,
			getProperty: function (name, callback) {
				var value = data[name];
				if (name === 'customSettingsData' && (value === '' || value === undefined || value === null)) {
					value = {};
				}
				if (typeof callback === 'function') {
					callback(value);
				}
				return value;
			},
			setProperty: function (name, value) { data[name] = value; },
			subscribe: function () { },
			publish: function () { },
			getSiteInfo: function () { return { siteId: SCS.siteId, currentPageId: SCS.navigationCurr }; }
		};
	};

	var componentApi = function (mustache) {
		return {
			loadResource: function (args) {
				var url = String(args.path).replace(/\/$/, '') + '/' + args.resource;
				return fetch(url).then(function (response) {
					if (!response.ok) {
						throw new Error(url + ': ' + response.status);
					}
					return response.text();
				});
			},
			getMustache: function () { return mustache; },
			getMustacheTags: function () {
				// OCE's mustache macros: {{#scs.getRenditionURL}}{{id}}{{/…}}, {{#scs.formatDate.toDateString}}…
				var lambda = function (apply) {
					return function () {
						return function (text, render) {
							return apply(render(text).trim());
						};
					};
				};
				var date = function (format) {
					return lambda(function (value) {
						var parsed = new Date(value);
						return isNaN(parsed.getTime()) ? value : parsed[format]();
					});
				};
				return {
					scs: {
						getRenditionURL: lambda(renditionUrl),
						formatDate: {
							toDateString: date('toDateString'),
							toLocaleDateString: date('toLocaleDateString'),
							toLocaleString: date('toLocaleString')
						}
					}
				};
			},
			getSiteInfo: function () {
				return {
					siteId: SCS.siteId,
					structureMap: structureMap,
					navigationRoot: SCS.navigationRoot,
					currentPageId: SCS.navigationCurr
				};
			},
			getPageInfo: function () { return { id: SCS.navigationCurr, properties: (SCS.pageModel || {}).properties || {} }; },
			createPageLink: pageLinkData,
			getRenderMode: function () { return SCS.renderMode; },
			getContentClient: function () { return contentClient; }
		};
	};

	// ---- rendering -------------------------------------------------------------------------------------------

	var finish = function (wrapper, error) {
		if (error) {
			wrapper.setAttribute('data-scs-state', 'failed');
			wrapper.setAttribute('data-scs-error', String((error && error.message) || error));
			if (window.console) {
				window.console.error('component ' + wrapper.getAttribute('data-scs-app') + ' did not render', error);
			}
		} else {
			wrapper.setAttribute('data-scs-state', 'rendered');
		}
	};

	var renderOne = function (wrapper, api) {
		var id = wrapper.getAttribute('data-scs-id');
		var app = wrapper.getAttribute('data-scs-app');
		var instance = renderApi.getComponentInstance(id) || { data: {} };
		var data = instance.data || {};
		var container = wrapper.querySelector('.scs-custom-component-wrapper > div') || wrapper;
		wrapper.setAttribute('data-scs-state', 'loading');
		require(['_compdelivery/' + app + '/assets/render'], function (factory) {
			var args = {
				id: id,
				componentId: id,
				mode: 'navigate',
				viewMode: 'navigate',
				layout: data.componentLayout || 'default',
				customSettingsData: data.customSettingsData || {},
				SitesSDK: sitesSdk(instance),
				SCSComponentAPI: api,
				contentClient: contentClient
			};
			if (instance.contentPlaceholderItems) {
				var wanted = new URLSearchParams(window.location.search).get('contentId');
				var candidates = instance.contentPlaceholderItems;
				instance.contentItemData = candidates.filter(function (item) { return item.id === wanted; })[0] || candidates[0];
			}
			if (instance.contentItemData) {
				args.contentItemData = itemData(instance.contentItemData);
				args.scsData = { id: id, contentId: instance.contentItemData.id, detailPageLink: '', showPublishedContent: true };
			}
			var show = function (component) {
				Promise.resolve()
					.then(function () { return component.render(container); })
					.then(function () { return shown(container); })
					.then(function () { finish(wrapper); }, function (error) { finish(wrapper, error); });
			};
			if (instance.contentListItems && typeof factory === 'function') {
				// a content list: the layout once per item, each in its own element
				container.classList.add('scs-content-list', 'scs-content-list-' + (instance.contentListLayout || 'vertical'));
				Promise.all(instance.contentListItems.map(function (item, index) {
					var element = document.createElement('div');
					element.className = 'scs-content-list-item';
					container.appendChild(element);
					var itemArgs = Object.assign({}, args, {
						contentItemData: itemData(item),
						scsData: { id: id + '-' + index, contentId: item.id, detailPageLink: detailLink(data.detailPageId, item), showPublishedContent: true }
					});
					return Promise.resolve()
						.then(function () { return new factory(itemArgs).render(element); })
						.then(function () { return shown(element); });
				})).then(function () { finish(wrapper); }, function (error) { finish(wrapper, error); });
				return;
			}
			try {
				if (factory && typeof factory.createComponent === 'function') {
					factory.createComponent(args, show);  // a custom component
				} else if (typeof factory === 'function') {
					show(new factory(args));  // a content layout
				} else {
					finish(wrapper, new Error('render.js of ' + app + ' is neither a component nor a content layout'));
				}
			} catch (error) {
				finish(wrapper, error);
			}
		}, function (error) {
			finish(wrapper, error);
		});
	};

	// Resolves once `container` has content: a component may fill it after its render() returned.
	var shown = function (container) {
		return new Promise(function (resolve) {
			if (container.childNodes.length) {
				resolve();
				return;
			}
			var observer = new MutationObserver(function () {
				observer.disconnect();
				resolve();
			});
			observer.observe(container, { childList: true, subtree: true });
			setTimeout(function () {
				observer.disconnect();
				resolve();
			}, 10000);
		});
	};

	// ---- built-in components that custom components nest (`<scs-title params="{scsComponent: …}">`) -------

	var escape = function (value) {
		return String(value === undefined || value === null ? '' : value).replace(/[&<>"']/g, function (c) {
			return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
		});
	};

	var wrap = function (kind, content) {
		return '<div class="scs-' + kind + ' scs-component"><div class="scs-component-content">' + content + '</div></div>';
	};

	var richText = function (kind) {
		return function (data) {
			return wrap(kind, '<div class="scs-' + kind + '-text">' + (data.userText || '') + '</div>');
		};
	};

	var builtIns = {
		'scs-title': richText('title'),
		'scs-paragraph': richText('paragraph'),
		'scs-text': richText('text'),
		'scs-image': function (data) {
			if (!data.imageUrl) {
				return wrap('image', '');
			}
			var image = '<img class="scs-image-image" src="' + escape(data.imageUrl) + '" alt="' + escape(data.altText) +
				'" title="' + escape(data.title) + '" style="max-width:100%">';
			if (data.imageHref && data.linkType !== 'scs-link-no-link') {
				image = '<a class="scs-image-link" href="' + escape(data.imageHref) + '">' + image + '</a>';
			}
			return wrap('image', '<div class="scs-image-container">' + image + '</div>');
		},
		'scs-button': function (data) {
			var text = '<span class="scs-button-text">' + escape(data.text) + '</span>';
			return wrap('button', data.href ? '<a class="scs-button-button" href="' + escape(data.href) + '">' + text + '</a>' :
				'<div class="scs-button-button">' + text + '</div>');
		},
		'scs-divider': function () {
			return wrap('divider', '<hr class="scs-divider-line">');
		},
		'scs-spacer': function (data) {
			return '<div class="scs-spacer scs-component" style="height:' + (Number(data.height) || 0) + 'px"></div>';
		}
	};

	var nestedData = function (parentId, id) {
		var parent = renderApi.getComponentInstance(parentId) || {};
		var nested = (parent.data && parent.data.nestedComponents) || [];
		for (var i = 0; i < nested.length; i++) {
			if (nested[i] && nested[i].id === id) {
				return nested[i].data || {};
			}
		}
		return {};
	};

	var registerBuiltIns = function (ko) {
		if (!ko || !ko.components) {
			return;
		}
		Object.keys(builtIns).forEach(function (name) {
			if (ko.components.isRegistered(name)) {
				return;
			}
			ko.components.register(name, {
				viewModel: function (params) {
					var component = ko.unwrap((params || {}).scsComponent) || {};
					this.markup = ko.pureComputed(function () {
						var own = ko.toJS(component.data) || {};
						var data = Object.assign({}, nestedData(ko.unwrap(component.parentId), ko.unwrap(component.id)), own);
						return builtIns[name](data);
					});
				},
				template: '<div data-bind="html: markup"></div>',
				synchronous: true
			});
		});
	};

	var renderAll = function (mustache) {
		var api = componentApi(mustache);
		var wrappers = document.querySelectorAll('.scs-custom-component[data-scs-app]');
		Array.prototype.forEach.call(wrappers, function (wrapper) {
			renderOne(wrapper, api);
		});
	};

	var libraries = { mustache: null, knockout: null };
	var pending = Object.keys(libraries).length;
	var loaded = function () {
		pending -= 1;
		if (pending === 0) {
			registerBuiltIns(libraries.knockout);
			renderAll(libraries.mustache);
		}
	};
	Object.keys(libraries).forEach(function (name) {
		require([name], function (library) {
			libraries[name] = library;
			loaded();
		}, loaded);
	});
}());
